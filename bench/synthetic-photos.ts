/**
 * Synthetic photo descriptors for the search benches: products in families of look-alikes (a catalogue has
 * many near-identical chairs), each product's frames spread around its own look (turntable views differ),
 * and queries that are one product's frame plus noise (a shopper's photo is near, never equal to, a render).
 * Deterministic: the same seeds give the same vectors.
 */

/** A small deterministic PRNG (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unitNear(next: () => number, base: Float32Array | undefined, spread: number, out: Float32Array) {
  let norm = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = (base ? base[i]! : 0) + (next() - 0.5) * spread;
    norm += out[i]! ** 2;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i]! *= scale;
  return out;
}

/** Shape of the synthetic catalogue. */
export interface SyntheticPhotoOptions {
  dims: number;
  frames: number;
  /** Products per family of look-alikes, on average (1,000 families at 100,000 products with 100). */
  familySize?: number;
  seed?: number;
}

/**
 * Calls `visit` with each product's frames (the same arrays are reused between calls: copy to keep).
 */
export function forEachSyntheticProduct(
  count: number,
  options: SyntheticPhotoOptions,
  visit: (product: number, frames: ReadonlyArray<{ index: number; vector: Float32Array }>) => void,
): void {
  const { dims, frames: frameCount, familySize = 100, seed = 7 } = options;
  const next = random(seed);
  const families = new Map<number, Float32Array>();
  const look = new Float32Array(dims);
  const frames = Array.from({ length: frameCount }, (_, index) => ({
    index,
    vector: new Float32Array(dims),
  }));
  const familyCount = Math.max(1, Math.ceil(count / familySize));
  for (let p = 0; p < count; p++) {
    // Products arrive in no particular order of look, as a catalogue's list does.
    const family = Math.floor(next() * familyCount);
    let base = families.get(family);
    if (!base) {
      // Families spread over the space; a product sits near its family, its frames near it.
      base = unitNear(random(seed * 1_000_003 + family), undefined, 1, new Float32Array(dims));
      families.set(family, base);
    }
    unitNear(next, base, 0.12, look);
    for (const frame of frames) unitNear(next, look, 0.06, frame.vector);
    visit(p, frames);
  }
}

/** A query near frame `frame` of `vectors` (one product's frame): the frame plus noise, unit length. */
export function queryNear(vector: Float32Array, seed: number): Float32Array {
  return unitNear(random(seed), vector, 0.06, new Float32Array(vector.length));
}
