/**
 * The contract every {@link PhotoIndex} keeps, as a vitest suite to run against each implementation (the
 * in-memory ones in `photo-index.contract.test.ts`; a distributed one against its engine the same way).
 * Every search is awaited, so an index that answers with a promise is held to the same contract.
 */
import { describe, expect, it } from 'vitest';
import type { PhotoIndex } from './photo-index.ts';

function unit(values: number[]): number[] {
  const norm = Math.sqrt(values.reduce((sum, x) => sum + x * x, 0));
  return values.map((x) => x / norm);
}

/** A deterministic unit vector of `dims` numbers. */
function vector(seed: number, dims: number): number[] {
  let state = seed >>> 0;
  return unit(
    Array.from({ length: dims }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296 - 0.5;
    }),
  );
}

/** Defines the contract's tests for the implementation `create` builds. */
export function photoIndexContract(name: string, create: (dims: number) => PhotoIndex): void {
  describe(`PhotoIndex contract: ${name}`, () => {
    it('answers each product once, best first, with its best frame and that frame’s exact score', async () => {
      const index = create(3);
      expect(await index.search([1, 0, 0], 5)).toEqual([]);
      index.upsert('B0AAAAAAAA', [
        { index: 0, vector: [1, 0, 0] },
        { index: 9, vector: [0, 1, 0] },
      ]);
      index.upsert('B0BBBBBBBB', [{ index: 4, vector: unit([1, 1, 0]) }]);
      index.upsert('B0CCCCCCCC', [{ index: 2, vector: [0, 0, 1] }]);
      expect(index.size).toBe(3);
      expect(index.frameCount).toBe(4);
      expect(index.has('B0AAAAAAAA')).toBe(true);
      expect(await index.search([0, 1, 0], 2)).toEqual([
        { asin: 'B0AAAAAAAA', score: 1, frame: 9 },
        { asin: 'B0BBBBBBBB', score: 0.709, frame: 4 },
      ]);
      const all = await index.search([0, 0, 1], 10);
      expect(all[0]).toEqual({ asin: 'B0CCCCCCCC', score: 1, frame: 2 });
      expect(all.map((hit) => hit.asin).sort()).toEqual(['B0AAAAAAAA', 'B0BBBBBBBB', 'B0CCCCCCCC']);
      expect(await index.search([0, 0, 1], 1)).toHaveLength(1);
    });

    it('replaces a product on upsert and forgets it on remove', async () => {
      const index = create(3);
      index.upsert('B0AAAAAAAA', [{ index: 0, vector: [1, 0, 0] }]);
      index.upsert('B0BBBBBBBB', [{ index: 0, vector: [0, 1, 0] }]);
      index.upsert('B0AAAAAAAA', [
        { index: 3, vector: [0, 0, 1] },
        { index: 5, vector: [0, 0, -1] },
      ]);
      expect(index.size).toBe(2);
      expect(index.frameCount).toBe(3);
      expect((await index.search([1, 0, 0], 1))[0]!.score).toBe(0);
      expect(await index.search([0, 0, 1], 1)).toEqual([{ asin: 'B0AAAAAAAA', score: 1, frame: 3 }]);
      index.remove('B0AAAAAAAA');
      index.remove('B0NOBODY00');
      expect(index.has('B0AAAAAAAA')).toBe(false);
      expect(index.size).toBe(1);
      expect(index.frameCount).toBe(1);
      expect((await index.search([0, 0, 1], 5)).map((hit) => hit.asin)).toEqual(['B0BBBBBBBB']);
    });

    it('refuses vectors and queries of another length, changing nothing', async () => {
      const index = create(3);
      index.upsert('B0AAAAAAAA', [{ index: 0, vector: [1, 0, 0] }]);
      expect(() => index.upsert('B0AAAAAAAA', [{ index: 0, vector: [1, 0] }])).toThrow(RangeError);
      expect(() => index.upsert('B0BBBBBBBB', [{ index: 0, vector: [1, 0, 0, 0] }])).toThrow(RangeError);
      await expect(async () => index.search([1, 0], 1)).rejects.toThrow(RangeError);
      expect(index.size).toBe(1);
      expect(await index.search([1, 0, 0], 1)).toEqual([{ asin: 'B0AAAAAAAA', score: 1, frame: 0 }]);
    });

    it('finds each product from one of its own frames, first, in a catalogue of 500', async () => {
      const dims = 32;
      const index = create(dims);
      for (let p = 0; p < 500; p++) {
        index.upsert(
          `B0P${String(p).padStart(7, '0')}`,
          Array.from({ length: 6 }, (_, f) => ({ index: f * 6, vector: vector(1000 * p + f + 1, dims) })),
        );
      }
      for (let p = 0; p < 500; p += 37) {
        const hits = await index.search(vector(1000 * p + 4, dims), 3);
        expect(hits[0]).toMatchObject({ asin: `B0P${String(p).padStart(7, '0')}`, frame: 18 });
        expect(hits[0]!.score).toBeGreaterThan(0.98);
        expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a));
        expect(new Set(hits.map((hit) => hit.asin)).size).toBe(hits.length);
      }
    });
  });
}
