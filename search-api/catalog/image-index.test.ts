import { describe, expect, it } from 'vitest';
import { ImageIndex } from './image-index.ts';

/** A deterministic pseudo-random unit vector near `base` (or random when base is absent). */
function vectorNear(seed: number, dims: number, base?: Float32Array, spread = 0.3): Float32Array {
  let state = seed * 2654435761;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const out = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    out[i] = (base ? base[i]! : 0) + next() * (base ? spread : 1);
    norm += out[i]! ** 2;
  }
  for (let i = 0; i < dims; i++) out[i]! /= Math.sqrt(norm);
  return out;
}

/** Every frame scored, on the same 8-bit values the index stores, ties by insertion order. */
function bruteForce(products: Map<string, Float32Array[]>, query: Float32Array, limit: number) {
  const q = (x: number) => Math.max(-127, Math.min(127, Math.round(x * 127)));
  return [...products.entries()]
    .map(([asin, frames]) => ({
      asin,
      score:
        Math.max(...frames.map((frame) => frame.reduce((sum, x, i) => sum + q(x) * q(query[i]!), 0))) /
        (127 * 127),
    }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

describe('ImageIndex', () => {
  const dims = 64;

  it('returns the same top products as scoring every frame, with pruning', () => {
    const index = new ImageIndex(dims);
    const products = new Map<string, Float32Array[]>();
    for (let p = 0; p < 300; p++) {
      const base = vectorNear(p + 1, dims);
      const frames = Array.from({ length: 12 }, (_, f) => vectorNear(1000 * (p + 1) + f, dims, base));
      products.set(`B0IMG${String(p).padStart(5, '0')}`, frames);
      index.upsert(
        `B0IMG${String(p).padStart(5, '0')}`,
        frames.map((vector, f) => ({ index: f, vector })),
      );
    }
    expect(index.frameCount).toBe(3600);
    for (let trial = 0; trial < 20; trial++) {
      const target = products.get(`B0IMG${String(trial * 13).padStart(5, '0')}`)!;
      const query = vectorNear(99_000 + trial, dims, target[trial % 12], 0.2);
      const expected = bruteForce(products, query, 5);
      const hits = index.search(query, 5);
      expect(hits.map((hit) => hit.asin)).toEqual(expected.map((hit) => hit.asin));
      for (const [k, hit] of hits.entries()) expect(hit.score).toBeCloseTo(expected[k]!.score, 3);
    }
  });

  it('names the best-matching frame and forgets removed or replaced products', () => {
    const index = new ImageIndex(3);
    index.upsert('B0AAAAAAAA', [
      { index: 0, vector: [1, 0, 0] },
      { index: 9, vector: [0, 1, 0] },
    ]);
    index.upsert('B0BBBBBBBB', [{ index: 0, vector: [0, 0, 1] }]);
    expect(index.search([0, 1, 0], 1)).toEqual([{ asin: 'B0AAAAAAAA', score: 1, frame: 9 }]);
    index.upsert('B0AAAAAAAA', [{ index: 0, vector: [1, 0, 0] }]);
    expect(index.search([0, 1, 0], 2).map((hit) => hit.score)).toEqual([0, 0]);
    index.remove('B0BBBBBBBB');
    expect(index.search([0, 0, 1], 5).map((hit) => hit.asin)).toEqual(['B0AAAAAAAA']);
    expect(() => index.search([1, 0], 1)).toThrow(/expected 3/);
    expect(() => index.upsert('B0CCCCCCCC', [{ index: 0, vector: [1] }])).toThrow(/expected 3/);
  });
});
