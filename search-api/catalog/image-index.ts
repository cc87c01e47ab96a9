/**
 * Photo search: every turntable frame's descriptor of every published product, compared with a query
 * photo's descriptor. A product scores the similarity of its best-matching frame, so a photo from any side
 * finds it.
 */
import { type Scored, TopK } from './min-heap.ts';

/** One search hit. */
export interface ImageHit {
  asin: string;
  /** Cosine similarity of the query and the best frame, in [-1, 1]. */
  score: number;
  /** Frame index of the best match (its turntable position). */
  frame: number;
}

interface Entry {
  asin: string;
  /** Frame indexes, in the order of the vectors. */
  frames: number[];
  /** Vectors quantised to 8 bits, `dims` per frame. */
  vectors: Int8Array;
}

/** Quantisation scale: descriptor components lie in [-1, 1]. */
const SCALE = 127;

/**
 * The photo index. Vectors are stored as 8-bit integers (a quarter of the memory of floats; the similarity
 * moves by less than 0.01), and searched exhaustively: exact, and cheap next to decoding the photo up to a
 * few thousand products; a larger catalogue needs a coarse quantiser in front (see docs/search.md).
 *
 * @example
 * ```ts
 * const index = new ImageIndex(DESCRIPTOR_DIMS);
 * index.upsert('B0CHAIR001', [{ index: 0, vector: frame0 }, { index: 1, vector: frame1 }]);
 * index.search(computeDescriptor(rgba, w, h), 5); // [{asin: 'B0CHAIR001', score: 0.93, frame: 1}]
 * ```
 */
export class ImageIndex {
  private readonly entries = new Map<string, Entry>();
  private frameTotal = 0;

  /** @param dims length of every vector; others are refused. */
  constructor(readonly dims: number) {}

  /** Number of indexed products. */
  get size(): number {
    return this.entries.size;
  }

  /** Number of indexed frames. */
  get frameCount(): number {
    return this.frameTotal;
  }

  /** True when the product has frames indexed. */
  has(asin: string): boolean {
    return this.entries.has(asin);
  }

  /** Indexes a product's frames, replacing what was indexed under its ASIN. Throws on a wrong vector length. */
  upsert(asin: string, frames: ReadonlyArray<{ index: number; vector: ArrayLike<number> }>): void {
    const vectors = new Int8Array(frames.length * this.dims);
    frames.forEach((frame, position) => {
      if (frame.vector.length !== this.dims) {
        throw new RangeError(
          `frame ${frame.index} of ${asin} has ${frame.vector.length} numbers, expected ${this.dims}`,
        );
      }
      for (let i = 0; i < this.dims; i++) {
        vectors[position * this.dims + i] = Math.max(
          -SCALE,
          Math.min(SCALE, Math.round(frame.vector[i]! * SCALE)),
        );
      }
    });
    this.remove(asin);
    this.entries.set(asin, { asin, frames: frames.map((frame) => frame.index), vectors });
    this.frameTotal += frames.length;
  }

  /** Removes a product; a no-op for an unknown ASIN. */
  remove(asin: string): void {
    const entry = this.entries.get(asin);
    if (!entry) return;
    this.frameTotal -= entry.frames.length;
    this.entries.delete(asin);
  }

  /** The `limit` products whose best frame is most similar to `query` (a unit-length descriptor). */
  search(query: ArrayLike<number>, limit: number): ImageHit[] {
    if (query.length !== this.dims) {
      throw new RangeError(`query descriptor has ${query.length} numbers, expected ${this.dims}`);
    }
    const q = new Int32Array(this.dims);
    for (let i = 0; i < this.dims; i++) q[i] = Math.round(query[i]! * SCALE);
    const top = new TopK(limit);
    const order: Entry[] = [];
    const bestFrame: number[] = [];
    const dims = this.dims;
    for (const entry of this.entries.values()) {
      const { vectors } = entry;
      let best = Number.NEGATIVE_INFINITY;
      let bestAt = 0;
      for (let f = 0, base = 0; f < entry.frames.length; f++, base += dims) {
        let dot = 0;
        for (let i = 0; i < dims; i++) dot += q[i]! * vectors[base + i]!;
        if (dot > best) {
          best = dot;
          bestAt = f;
        }
      }
      if (entry.frames.length === 0) continue;
      top.offer({ doc: order.length, score: best } satisfies Scored);
      order.push(entry);
      bestFrame.push(bestAt);
    }
    return top.sorted().map(({ doc, score }) => ({
      asin: order[doc]!.asin,
      score: Math.round((score / (SCALE * SCALE)) * 1000) / 1000,
      frame: order[doc]!.frames[bestFrame[doc]!]!,
    }));
  }
}
