/**
 * A coarse quantiser (the "IVF" of vector search): k-means centroids over a sample of vectors, and one
 * inverted list per centroid naming the members that own a vector nearest to it. A query reads only the
 * lists whose centroids lie nearest to it, so its cost follows the lists probed, not the collection.
 */

import { dotInt8, dotQuery } from './dot-int8.ts';

/** Lloyd iterations per training; the lists only need to be good enough to probe, not optimal. */
const TRAIN_ITERATIONS = 8;

/**
 * The lists over members of type `T` (the image index's entries). A member owns one or more vectors (for
 * the image index: the centres of a product's runs of frames) and sits in the list of each one's centroid.
 *
 * Guarantees: after any sequence of {@link add}, {@link remove} and {@link train}, every member added and
 * not removed is in exactly the lists of its vectors' nearest centroids (found with the current centroids),
 * and no removed member is in any list.
 * Assumptions: vectors are 8-bit integers (any scale); members are compared by identity.
 * Caveats: training is O(sample · lists · dims); callers choose when (the image index: when the collection
 * has grown fourfold since the last training, so the cost is amortised).
 *
 * @example
 * ```ts
 * const lists = new CoarseQuantiser<string>(dims);
 * lists.train(sampleVectors, 64);
 * lists.add('B0CHAIR001', centres, 3);
 * lists.probe(Int32Array.from(query), 8); // ['B0CHAIR001', …]: members of the 8 lists nearest the query
 * ```
 */
export class CoarseQuantiser<T> {
  /** Centroids, `dims` per list, rounded to the vectors' integers (they only decide which list). */
  private centroids = new Int8Array(0);
  /** ‖c‖²/2 per centroid: nearest in Euclidean distance is the largest x·c − ‖c‖²/2. */
  private halfNorms = new Float32Array(0);
  private lists: Array<Set<T>> = [];
  /** The lists each member is in (with repeats when several of its vectors share one). */
  private readonly assignments = new Map<T, { vectors: Int8Array; count: number; lists: Int32Array }>();

  /** @param dims length of every vector. */
  constructor(readonly dims: number) {}

  /** Number of lists; 0 before the first training. */
  get listCount(): number {
    return this.lists.length;
  }

  /** Number of members held. */
  get memberCount(): number {
    return this.assignments.size;
  }

  /** Size of each list, for tests and metrics. */
  listSizes(): number[] {
    return this.lists.map((list) => list.size);
  }

  /** True when `member` is in list `list`. */
  inList(member: T, list: number): boolean {
    return this.lists[list]?.has(member) ?? false;
  }

  /** The lists `member` is in, in the order of its vectors; empty for a stranger. */
  listsOf(member: T): number[] {
    return [...(this.assignments.get(member)?.lists ?? [])];
  }

  /**
   * Replaces the centroids with `lists` k-means centroids of `sample` (at most one per sample vector) and
   * re-files every member under them. Deterministic: the same sample gives the same centroids.
   */
  train(sample: readonly Int8Array[], lists: number): void {
    const dims = this.dims;
    const k = Math.max(1, Math.min(lists, sample.length));
    const centroids = new Int8Array(k * dims);
    // Evenly spaced sample vectors as seeds: deterministic, and spread over however the sample was drawn.
    for (let c = 0; c < k; c++) {
      const seed = sample[Math.floor((c * sample.length) / k)];
      if (seed) centroids.set(seed, c * dims);
    }
    this.centroids = centroids;
    this.halfNorms = new Float32Array(k);
    const sums = new Float64Array(k * dims);
    const counts = new Int32Array(k);
    for (let iteration = 0; iteration < TRAIN_ITERATIONS; iteration++) {
      this.updateNorms();
      sums.fill(0);
      counts.fill(0);
      for (const vector of sample) {
        const c = this.nearest(vector, 0);
        counts[c]!++;
        for (let i = 0, base = c * dims; i < dims; i++) sums[base + i]! += vector[i]!;
      }
      // An empty cluster keeps its centroid: it costs a list nobody probes often, never a wrong answer.
      for (let c = 0; c < k; c++) {
        if (counts[c] === 0) continue;
        for (let i = 0, base = c * dims; i < dims; i++)
          centroids[base + i] = Math.round(sums[base + i]! / counts[c]!);
      }
    }
    this.updateNorms();
    this.lists = Array.from({ length: k }, () => new Set<T>());
    for (const [member, assignment] of this.assignments) this.file(member, assignment);
  }

  /** Files `member` under the nearest centroid of each of its `count` vectors, replacing what it had. */
  add(member: T, vectors: Int8Array, count: number): void {
    this.remove(member);
    const assignment = { vectors, count, lists: new Int32Array(0) };
    this.assignments.set(member, assignment);
    this.file(member, assignment);
  }

  /** Takes `member` out of every list; a no-op for a stranger. */
  remove(member: T): void {
    const assignment = this.assignments.get(member);
    if (!assignment) return;
    for (const list of assignment.lists) this.lists[list]?.delete(member);
    this.assignments.delete(member);
  }

  /**
   * The members of the `probes` lists whose centroids are nearest `query` (integers on the vectors'
   * scale), each once; empty before training.
   */
  probe(query: Int32Array, probes: number): T[] {
    const dims = this.dims;
    const k = this.lists.length;
    const closeness = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      closeness[c] = dotQuery(query, this.centroids, c * dims) - this.halfNorms[c]!;
    }
    const order = Array.from({ length: k }, (_, c) => c).sort(
      (a, b) => closeness[b]! - closeness[a]! || a - b,
    );
    const members = new Set<T>();
    for (const c of order.slice(0, probes)) for (const member of this.lists[c]!) members.add(member);
    return [...members];
  }

  private file(member: T, assignment: { vectors: Int8Array; count: number; lists: Int32Array }): void {
    if (this.lists.length === 0) return;
    assignment.lists = new Int32Array(assignment.count);
    for (let v = 0; v < assignment.count; v++) {
      const list = this.nearest(assignment.vectors, v * this.dims);
      assignment.lists[v] = list;
      this.lists[list]!.add(member);
    }
  }

  /** The centroid nearest the vector at `offset` of `vectors` (lowest index on ties). */
  private nearest(vectors: Int8Array, offset: number): number {
    const dims = this.dims;
    let best = 0;
    let bestCloseness = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < this.halfNorms.length; c++) {
      const closeness = dotInt8(vectors, offset, this.centroids, c * dims, dims) - this.halfNorms[c]!;
      if (closeness > bestCloseness) {
        bestCloseness = closeness;
        best = c;
      }
    }
    return best;
  }

  private updateNorms(): void {
    const dims = this.dims;
    for (let c = 0; c < this.halfNorms.length; c++) {
      let norm = 0;
      for (let i = 0, base = c * dims; i < dims; i++) norm += this.centroids[base + i]! ** 2;
      this.halfNorms[c] = norm / 2;
    }
  }
}
