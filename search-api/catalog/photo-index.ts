/**
 * The photo index's interface: what the catalogue needs from whatever holds the frames' descriptors. The
 * in-memory implementations (`image-index.ts`, `exact-photo-index.ts`) live in this process; a distributed
 * engine (OpenSearch or Elasticsearch k-NN, docs/search.md "Past one replica") is one more module behind it.
 * `photo-index-contract.ts` states the contract every implementation must keep.
 */

/** One search hit. */
export interface ImageHit {
  asin: string;
  /** Cosine similarity of the query and the product's best frame, in [-1, 1], rounded to 3 decimals. */
  score: number;
  /** Frame index of the best match (its turntable position). */
  frame: number;
}

/** A product's frame: its turntable index and its unit-length descriptor. */
export interface PhotoFrame {
  index: number;
  vector: ArrayLike<number>;
}

/**
 * Holds every published product's frame descriptors and answers "the products whose best frame is most
 * similar to this photo".
 *
 * Contract (checked by `photo-index-contract.ts`):
 * - `upsert` replaces whatever was indexed under the ASIN; `remove` forgets it (a no-op for a stranger);
 *   vectors of another length than `dims` throw a RangeError and change nothing.
 * - `search` answers at most `limit` distinct ASINs, by descending score, each with the exact score of its
 *   best frame (the highest dot product over all its frames) and that frame's index; a query of another
 *   length is a RangeError (thrown, or the promise rejects with it). Which products are returned may be
 *   approximate past an implementation's exact threshold (stated per implementation), the scores never are.
 * - `search` may answer now (the in-memory indexes) or with a promise (an engine across the network);
 *   callers always await it. `upsert` and `remove` stay synchronous: an engine's module queues them for its
 *   bulk requests (docs/search.md, "Past one replica"), so handling a watch event never waits on the network.
 * - `size` and `frameCount` count what is indexed now.
 */
export interface PhotoIndex {
  readonly dims: number;
  readonly size: number;
  readonly frameCount: number;
  has(asin: string): boolean;
  upsert(asin: string, frames: ReadonlyArray<PhotoFrame>): void;
  remove(asin: string): void;
  search(query: ArrayLike<number>, limit: number): ImageHit[] | Promise<ImageHit[]>;
}

/** Components of a unit-length descriptor lie in [-1, 1]; indexes store them as 8-bit integers of this scale. */
export const INT8_SCALE = 127;

/**
 * A frame set quantised to 8-bit integers, `dims` per frame; throws a RangeError for a vector of another length.
 */
export function quantiseFrames(asin: string, frames: ReadonlyArray<PhotoFrame>, dims: number): Int8Array {
  const vectors = new Int8Array(frames.length * dims);
  frames.forEach((frame, position) => {
    if (frame.vector.length !== dims) {
      throw new RangeError(
        `frame ${frame.index} of ${asin} has ${frame.vector.length} numbers, expected ${dims}`,
      );
    }
    for (let i = 0; i < dims; i++) {
      vectors[position * dims + i] = Math.max(
        -INT8_SCALE,
        Math.min(INT8_SCALE, Math.round(frame.vector[i]! * INT8_SCALE)),
      );
    }
  });
  return vectors;
}

/** The query quantised like the frames; throws a RangeError for another length. */
export function quantiseQuery(query: ArrayLike<number>, dims: number): Int32Array {
  if (query.length !== dims) {
    throw new RangeError(`query descriptor has ${query.length} numbers, expected ${dims}`);
  }
  const q = new Int32Array(dims);
  for (let i = 0; i < dims; i++) q[i] = Math.round(query[i]! * INT8_SCALE);
  return q;
}

/** A dot product of quantised vectors as a similarity, rounded as hits report it. */
export function hitScore(dot: number): number {
  return Math.round((dot / (INT8_SCALE * INT8_SCALE)) * 1000) / 1000;
}
