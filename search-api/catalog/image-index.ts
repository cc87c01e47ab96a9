/**
 * Photo search: every turntable frame's descriptor of every published product, compared with a query
 * photo's descriptor. A product scores the similarity of its best-matching frame, so a photo from any side
 * finds it.
 */
import { CoarseQuantiser } from './coarse-quantiser.ts';
import { dotQuery } from './dot-int8.ts';
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
  /** Centre of each run of {@link SECTOR_FRAMES} neighbouring frames, and its radius (both in 8-bit units). */
  centres: Int8Array;
  radii: Float32Array;
}

/** Quantisation scale: descriptor components lie in [-1, 1]. */
const SCALE = 127;
/** Neighbouring turntable frames look alike: each run of this many shares one centre for pruning. */
const SECTOR_FRAMES = 12;
/** Products scored exactly first, to set the pruning threshold. */
const SEED_PRODUCTS = 32;
/**
 * Products scored exactly per query, at least: past this the search stops pruning and answers with the best
 * found among the products with the highest bounds, so one query never scans a whole large catalogue.
 */
const MIN_EXACT_BUDGET = 2000;
/**
 * Up to this many products every query considers every product, and the scoring budget (max(2000, 20·k))
 * covers the whole catalogue, so the answer is exactly the brute-force one. Past it the coarse lists pick
 * the candidates (approximate; recall@10 0.99 on the clustered catalogue of image-index.test.ts).
 */
const EXACT_PRODUCTS = MIN_EXACT_BUDGET;
/** Coarse lists: about √(sectors), at most this many (more lists make indexing dearer, not queries cheaper). */
const MAX_LISTS = 64;
/** Lists probed per query: this fraction of them, at least {@link MIN_PROBES}. */
const PROBE_FRACTION = 1 / 8;
const MIN_PROBES = 4;
/** Sectors sampled to train the lists, per list. */
const SAMPLE_PER_LIST = 48;
/**
 * The lists are retrained when the number of sectors has grown this many times since the last training, until
 * there are {@link MAX_LISTS} of them. Not after: re-filing blocks the event loop for a time that grows with
 * the catalogue (1.6 s at 32,000 sectors on a 2-core machine), and a full set of lists trained on thousands of
 * sectors keeps serving correct answers as the catalogue grows; a restart re-lists and retrains.
 */
const RETRAIN_GROWTH = 4;

/**
 * Centres and radii of each sector, computed on the quantised vectors themselves so that the bound
 * q·f ≤ q·c + ‖q‖·‖f − c‖ holds exactly for the scores the index computes.
 */
function sectorsOf(vectors: Int8Array, frameCount: number, dims: number) {
  const count = Math.ceil(frameCount / SECTOR_FRAMES);
  const centres = new Int8Array(count * dims);
  const radii = new Float32Array(count);
  for (let s = 0; s < count; s++) {
    const first = s * SECTOR_FRAMES;
    const last = Math.min(frameCount, first + SECTOR_FRAMES);
    for (let i = 0; i < dims; i++) {
      let sum = 0;
      for (let f = first; f < last; f++) sum += vectors[f * dims + i]!;
      centres[s * dims + i] = Math.round(sum / (last - first));
    }
    let radius = 0;
    for (let f = first; f < last; f++) {
      let distance = 0;
      for (let i = 0; i < dims; i++) distance += (vectors[f * dims + i]! - centres[s * dims + i]!) ** 2;
      radius = Math.max(radius, Math.sqrt(distance));
    }
    radii[s] = radius;
  }
  return { centres, radii };
}

/**
 * The photo index. Vectors are stored as 8-bit integers (a quarter of the memory of floats; the similarity
 * moves by less than 0.01). Up to {@link EXACT_PRODUCTS} products a query considers them all and is exact;
 * past that a coarse quantiser ({@link CoarseQuantiser}: k-means lists over the sector centres, about
 * √sectors of them, at most {@link MAX_LISTS}) names the candidates: the products filed in the nearest
 * eighth of the lists. The lists are kept current on every upsert and remove and retrained each time the
 * catalogue has grown fourfold, until there are {@link MAX_LISTS} (see docs/search.md, "Photo search").
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
  private readonly lists: CoarseQuantiser<Entry>;
  private frameTotal = 0;
  private sectorTotal = 0;
  /** Sectors indexed when the lists were last trained; 0 before. */
  private trainedOn = 0;

  /** @param dims length of every vector; others are refused. */
  constructor(readonly dims: number) {
    this.lists = new CoarseQuantiser(dims);
  }

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
    const entry: Entry = {
      asin,
      frames: frames.map((frame) => frame.index),
      vectors,
      ...sectorsOf(vectors, frames.length, this.dims),
    };
    this.entries.set(asin, entry);
    this.frameTotal += frames.length;
    this.sectorTotal += entry.radii.length;
    this.lists.add(entry, entry.centres, entry.radii.length);
    if (
      this.entries.size > EXACT_PRODUCTS &&
      this.lists.listCount < MAX_LISTS &&
      this.sectorTotal >= RETRAIN_GROWTH * this.trainedOn
    ) {
      this.train();
    }
  }

  /** Removes a product; a no-op for an unknown ASIN. */
  remove(asin: string): void {
    const entry = this.entries.get(asin);
    if (!entry) return;
    this.frameTotal -= entry.frames.length;
    this.sectorTotal -= entry.radii.length;
    this.entries.delete(asin);
    this.lists.remove(entry);
  }

  /**
   * (Re)trains the coarse lists on an evenly strided sample of the sector centres and re-files every
   * product. Called as the catalogue grows past {@link EXACT_PRODUCTS} and then each time it has grown
   * {@link RETRAIN_GROWTH}-fold until the list count reaches {@link MAX_LISTS}, so each sector is re-filed a
   * bounded number of times on average.
   */
  private train(): void {
    const dims = this.dims;
    const listCount = Math.min(MAX_LISTS, Math.max(1, Math.round(Math.sqrt(this.sectorTotal))));
    const stride = Math.max(1, Math.floor(this.sectorTotal / (listCount * SAMPLE_PER_LIST)));
    const sample: Int8Array[] = [];
    let position = 0;
    for (const entry of this.entries.values()) {
      for (let s = 0; s < entry.radii.length; s++, position++) {
        if (position % stride === 0) sample.push(entry.centres.subarray(s * dims, (s + 1) * dims));
      }
    }
    this.lists.train(sample, listCount);
    this.trainedOn = this.sectorTotal;
  }

  /**
   * The `limit` products whose best frame is most similar to `query` (a unit-length descriptor).
   *
   * Candidates: every product up to {@link EXACT_PRODUCTS}, else the members of the nearest
   * max(4, lists/8) coarse lists. Among them, without scoring every frame: for a frame f near its sector
   * centre c (‖f − c‖ ≤ r), q·f ≤ q·c + ‖q‖·r.
   * One dot product per sector bounds each product; products are scored in descending order of bound until
   * the next bound cannot beat the k-th best score found. Caveats: past max(2000, 20·k) scored products it
   * stops and returns the best found; past {@link EXACT_PRODUCTS} a product filed only in lists not probed
   * is missed. Every score returned is exact (all the product's frames); ties among equal scores may be
   * ordered differently from insertion order once the lists are in use.
   */
  search(query: ArrayLike<number>, limit: number): ImageHit[] {
    if (query.length !== this.dims) {
      throw new RangeError(`query descriptor has ${query.length} numbers, expected ${this.dims}`);
    }
    const dims = this.dims;
    const q = new Int32Array(dims);
    for (let i = 0; i < dims; i++) q[i] = Math.round(query[i]! * SCALE);
    const entries =
      this.entries.size > EXACT_PRODUCTS && this.lists.listCount > 0
        ? this.lists.probe(q, Math.max(MIN_PROBES, Math.ceil(this.lists.listCount * PROBE_FRACTION)))
        : [...this.entries.values()];
    const bounds = new Float64Array(entries.length);
    const unit = 1 / (SCALE * SCALE);
    let queryNorm = 0;
    for (let i = 0; i < dims; i++) queryNorm += q[i]! * q[i]!;
    // A hair of slack so floating-point rounding in the bound never prunes a product that ties.
    queryNorm = Math.sqrt(queryNorm) * (1 + 1e-9);
    for (const [position, entry] of entries.entries()) {
      const { centres, radii } = entry;
      let bound = Number.NEGATIVE_INFINITY;
      for (let s = 0; s < radii.length; s++) {
        const dot = dotQuery(q, centres, s * dims);
        bound = Math.max(bound, (dot + queryNorm * radii[s]! + 1) * unit);
      }
      bounds[position] = bound;
    }
    const top = new TopK(limit);
    const bestFrame = new Int32Array(entries.length);
    const scored = new Uint8Array(entries.length);
    const score = (position: number): void => {
      const entry = entries[position]!;
      scored[position] = 1;
      if (entry.frames.length === 0) return;
      const { vectors } = entry;
      let best = Number.NEGATIVE_INFINITY;
      for (let f = 0, base = 0; f < entry.frames.length; f++, base += dims) {
        const dot = dotQuery(q, vectors, base);
        if (dot > best) {
          best = dot;
          bestFrame[position] = f;
        }
      }
      top.offer({ doc: position, score: best * unit } satisfies Scored);
    };
    const seeds = new TopK(Math.min(entries.length, Math.max(limit, SEED_PRODUCTS)));
    for (let position = 0; position < entries.length; position++)
      seeds.offer({ doc: position, score: bounds[position]! });
    for (const seed of seeds.sorted()) score(seed.doc);
    const threshold = (): number => (top.size >= limit ? top.weakest()!.score : Number.NEGATIVE_INFINITY);
    const remaining: number[] = [];
    for (let position = 0; position < entries.length; position++) {
      if (!scored[position] && bounds[position]! > threshold()) remaining.push(position);
    }
    remaining.sort((a, b) => bounds[b]! - bounds[a]!);
    let budget = Math.max(MIN_EXACT_BUDGET, 20 * limit) - seeds.size;
    for (const position of remaining) {
      // Bounds only fall from here on: once one cannot beat the k-th best, none can.
      if (bounds[position]! <= threshold() || budget-- <= 0) break;
      score(position);
    }
    return top.sorted().map(({ doc, score: value }) => ({
      asin: entries[doc]!.asin,
      score: Math.round(value * 1000) / 1000,
      frame: entries[doc]!.frames[bestFrame[doc]!]!,
    }));
  }
}
