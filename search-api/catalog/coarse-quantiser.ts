/**
 * A coarse quantiser (the "IVF" of vector search): k-means centroids over a sample of vectors, and one
 * inverted list per centroid naming the members that own a vector nearest to it. A query reads only the
 * lists whose centroids lie nearest to it, so its cost follows the lists probed, not the collection.
 *
 * Past {@link FLAT_LISTS} lists the centroids are found in two levels (√k top centroids, then k-means inside
 * each top cell), and a vector is filed by descending through its two nearest top cells: training and filing
 * cost O(√k) dot products per vector instead of O(k), which is what makes a thousand lists affordable.
 */

import { dotInt8, dotQuery } from './dot-int8.ts';

/** Lloyd iterations per training; the lists only need to be good enough to probe, not optimal. */
const TRAIN_ITERATIONS = 8;
/** Up to this many lists the centroids are one flat k-means, and filing compares with every one. */
const FLAT_LISTS = 64;
/** Top cells descended into when filing a vector under a two-level quantiser. */
const DESCEND = 2;

/** `k` k-means centroids of `sample` (at most one per vector), seeded with evenly spaced sample vectors. */
function kMeans(sample: readonly Int8Array[], k: number, dims: number): Int8Array {
  const count = Math.max(1, Math.min(k, sample.length));
  const centroids = new Int8Array(count * dims);
  for (let c = 0; c < count; c++) {
    const seed = sample[Math.floor((c * sample.length) / count)];
    if (seed) centroids.set(seed, c * dims);
  }
  const halfNorms = new Float32Array(count);
  const sums = new Float64Array(count * dims);
  const counts = new Int32Array(count);
  for (let iteration = 0; iteration < TRAIN_ITERATIONS; iteration++) {
    updateNorms(centroids, halfNorms, dims);
    sums.fill(0);
    counts.fill(0);
    for (const vector of sample) {
      const c = nearestOf(vector, 0, centroids, halfNorms, dims, 0, count);
      counts[c]!++;
      for (let i = 0, base = c * dims; i < dims; i++) sums[base + i]! += vector[i]!;
    }
    // An empty cluster keeps its centroid: it costs a list nobody probes often, never a wrong answer.
    for (let c = 0; c < count; c++) {
      if (counts[c] === 0) continue;
      for (let i = 0, base = c * dims; i < dims; i++)
        centroids[base + i] = Math.round(sums[base + i]! / counts[c]!);
    }
  }
  return centroids;
}

function updateNorms(centroids: Int8Array, halfNorms: Float32Array, dims: number): void {
  for (let c = 0; c < halfNorms.length; c++) {
    let norm = 0;
    for (let i = 0, base = c * dims; i < dims; i++) norm += centroids[base + i]! ** 2;
    halfNorms[c] = norm / 2;
  }
}

/** Index of the centroid in [from, to) nearest the vector at `offset` (lowest index on ties). */
function nearestOf(
  vectors: Int8Array,
  offset: number,
  centroids: Int8Array,
  halfNorms: Float32Array,
  dims: number,
  from: number,
  to: number,
): number {
  let best = from;
  let bestCloseness = Number.NEGATIVE_INFINITY;
  for (let c = from; c < to; c++) {
    const closeness = dotInt8(vectors, offset, centroids, c * dims, dims) - halfNorms[c]!;
    if (closeness > bestCloseness) {
      bestCloseness = closeness;
      best = c;
    }
  }
  return best;
}

/** The second level of a two-level quantiser: top centroids, and the range of leaf lists under each. */
interface TopLevel {
  centroids: Int8Array;
  halfNorms: Float32Array;
  /** Leaves of top cell t are the lists [starts[t], starts[t + 1]). */
  starts: Int32Array;
}

/**
 * The lists over members of type `T` (the image index's entries). A member owns one or more vectors (for
 * the image index: the centres of a product's runs of frames) and sits in the list of each one's centroid.
 *
 * Guarantees: after any sequence of {@link add}, {@link remove} and {@link train}, every member added and
 * not removed is in exactly the lists its vectors are filed under with the current centroids (the nearest
 * centroid up to {@link FLAT_LISTS} lists; past that, the nearest leaf under the vector's two nearest top
 * cells), and no removed member is in any list.
 * Assumptions: vectors are 8-bit integers (any scale); members are compared by identity.
 * Caveats: training is O(sample · √lists · dims) (O(sample · lists · dims) when flat); callers choose when
 * (the image index: when the collection has grown fourfold since the last training).
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
  /** Centroids of the lists, `dims` per list, rounded to the vectors' integers (they only decide which list). */
  private centroids: Int8Array = new Int8Array(0);
  /** ‖c‖²/2 per centroid: nearest in Euclidean distance is the largest x·c − ‖c‖²/2. */
  private halfNorms = new Float32Array(0);
  private top: TopLevel | undefined;
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
   * Replaces the centroids with about `lists` k-means centroids of `sample` (at most one per sample vector;
   * exactly min(lists, sample) up to {@link FLAT_LISTS}) and re-files every member under them.
   * Deterministic: the same sample gives the same centroids.
   */
  train(sample: readonly Int8Array[], lists: number): void {
    const dims = this.dims;
    if (lists <= FLAT_LISTS || sample.length <= FLAT_LISTS) {
      this.centroids = kMeans(sample, lists, dims);
      this.top = undefined;
    } else {
      const topCount = Math.ceil(Math.sqrt(lists));
      const topCentroids = kMeans(sample, topCount, dims);
      const topNorms = new Float32Array(topCentroids.length / dims);
      updateNorms(topCentroids, topNorms, dims);
      const cells: Int8Array[][] = Array.from({ length: topNorms.length }, () => []);
      for (const vector of sample)
        cells[nearestOf(vector, 0, topCentroids, topNorms, dims, 0, topNorms.length)]!.push(vector);
      const parts: Int8Array[] = [];
      const starts = new Int32Array(topNorms.length + 1);
      for (const [t, cell] of cells.entries()) {
        // Leaves in proportion to the cell's share of the sample: dense regions get finer lists.
        const k = Math.max(1, Math.round((lists * cell.length) / sample.length));
        const leaves = cell.length > 0 ? kMeans(cell, k, dims) : topCentroids.slice(t * dims, (t + 1) * dims);
        parts.push(leaves);
        starts[t + 1] = starts[t]! + leaves.length / dims;
      }
      this.centroids = new Int8Array(starts[topNorms.length]! * dims);
      let offset = 0;
      for (const part of parts) {
        this.centroids.set(part, offset);
        offset += part.length;
      }
      this.top = { centroids: topCentroids, halfNorms: topNorms, starts };
    }
    this.halfNorms = new Float32Array(this.centroids.length / dims);
    updateNorms(this.centroids, this.halfNorms, dims);
    this.lists = Array.from({ length: this.halfNorms.length }, () => new Set<T>());
    for (const [member, assignment] of this.assignments) this.file(member, assignment);
  }

  /** Files `member` under the list of each of its `count` vectors, replacing what it had. */
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
   * The members of the lists nearest `query` (integers on the vectors' scale), each once, in the order of
   * the lists: the `probes` nearest lists, and more while fewer than `minMembers` members are collected.
   * Empty before training.
   */
  probe(query: Int32Array, probes: number, minMembers = 0): T[] {
    const dims = this.dims;
    const k = this.lists.length;
    const closeness = new Float64Array(k);
    for (let c = 0; c < k; c++) closeness[c] = dotQuery(query, this.centroids, c * dims) - this.halfNorms[c]!;
    const order = Array.from({ length: k }, (_, c) => c).sort(
      (a, b) => closeness[b]! - closeness[a]! || a - b,
    );
    const members = new Set<T>();
    for (const [rank, c] of order.entries()) {
      if (rank >= probes && members.size >= minMembers) break;
      for (const member of this.lists[c]!) members.add(member);
    }
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

  /** The list the vector at `offset` of `vectors` is filed under. */
  private nearest(vectors: Int8Array, offset: number): number {
    const dims = this.dims;
    const top = this.top;
    if (!top)
      return nearestOf(vectors, offset, this.centroids, this.halfNorms, dims, 0, this.halfNorms.length);
    // The DESCEND nearest top cells, then the nearest leaf among their children.
    const cells: number[] = [];
    const closeness: number[] = [];
    for (let t = 0; t < top.halfNorms.length; t++) {
      const value = dotInt8(vectors, offset, top.centroids, t * dims, dims) - top.halfNorms[t]!;
      let at = cells.length;
      while (at > 0 && closeness[at - 1]! < value) at--;
      if (at >= DESCEND) continue;
      cells.splice(at, 0, t);
      closeness.splice(at, 0, value);
      if (cells.length > DESCEND) {
        cells.pop();
        closeness.pop();
      }
    }
    let best = -1;
    let bestCloseness = Number.NEGATIVE_INFINITY;
    for (const t of cells) {
      const leaf = nearestOf(
        vectors,
        offset,
        this.centroids,
        this.halfNorms,
        dims,
        top.starts[t]!,
        top.starts[t + 1]!,
      );
      const value = dotInt8(vectors, offset, this.centroids, leaf * dims, dims) - this.halfNorms[leaf]!;
      if (value > bestCloseness) {
        bestCloseness = value;
        best = leaf;
      }
    }
    return best;
  }
}
