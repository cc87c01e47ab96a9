/**
 * Photo search: every turntable frame's descriptor of every published product, compared with a query
 * photo's descriptor. A product scores the similarity of its best-matching frame, so a photo from any side
 * finds it. The in-memory implementation of {@link PhotoIndex}.
 */
import { CoarseQuantiser } from './coarse-quantiser.ts';
import { dotQuery } from './dot-int8.ts';
import { type Scored, TopK } from './min-heap.ts';
import {
  hitScore,
  type ImageHit,
  type PhotoFrame,
  type PhotoIndex,
  quantiseFrames,
  quantiseQuery,
} from './photo-index.ts';

export type { ImageHit } from './photo-index.ts';

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

/** Neighbouring turntable frames look alike: each run of this many shares one centre for pruning. */
const SECTOR_FRAMES = 12;
/** Products scored exactly first, to set the pruning threshold. */
const SEED_PRODUCTS = 32;

/** How the index trades speed for recall; {@link DEFAULT_IMAGE_INDEX_TUNING} is what the service runs. */
export interface ImageIndexTuning {
  /**
   * Up to this many products every query considers every product, and the scoring budget covers the whole
   * catalogue, so the answer is exactly the brute-force one. Past it the coarse lists pick the candidates.
   */
  exactProducts: number;
  /** Lists: one per this many sectors, at most {@link maxLists}. */
  sectorsPerList: number;
  maxLists: number;
  /** Lists probed per query: at least this many, and more until {@link probeShare} of the products are candidates. */
  minProbes: number;
  probeShare: number;
  /** Products scored exactly per query past the exact threshold, at most: max(this, 20·k). */
  scoreBudget: number;
  /** Sectors sampled per list to train the lists. */
  samplePerList: number;
  /**
   * The lists are retrained when the number of sectors has grown this many times since the last training,
   * until there are {@link maxLists} of them. Not after: re-filing blocks the event loop for a time that grows
   * with the catalogue, and a full set of lists trained on tens of thousands of sectors keeps serving correct
   * answers as the catalogue grows; a restart re-lists and retrains.
   */
  retrainGrowth: number;
}

/**
 * Chosen by `npm run bench:search` (docs/search.md, "Photo search"): at 100,000 products × 12 frames the
 * nearest lists holding 2% of the products (at least 6 lists), and at most 256 products scored, gave
 * recall@10 0.968 against the exact scan; 48 sampled sectors per list keep the lists good enough for the
 * 0.95 floor of image-index.test.ts (16 gave 0.58 there).
 */
export const DEFAULT_IMAGE_INDEX_TUNING: ImageIndexTuning = {
  exactProducts: 2000,
  sectorsPerList: 64,
  maxLists: 1024,
  minProbes: 6,
  probeShare: 0.02,
  scoreBudget: 256,
  samplePerList: 48,
  retrainGrowth: 4,
};

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
 * moves by less than 0.01). Up to {@link ImageIndexTuning.exactProducts} products a query considers them all
 * and is exact; past that a coarse quantiser ({@link CoarseQuantiser}: k-means lists over the sector centres,
 * one per 64 sectors, at most 1,024, two-level past 64) names the candidates: the products filed in the
 * nearest lists, until 2% of the catalogue is collected. The lists are kept current on every upsert and
 * remove and retrained each time the catalogue has grown fourfold, until there are 1,024 (docs/search.md,
 * "Photo search").
 *
 * @example
 * ```ts
 * const index = new ImageIndex(DESCRIPTOR_DIMS);
 * index.upsert('B0CHAIR001', [{ index: 0, vector: frame0 }, { index: 1, vector: frame1 }]);
 * index.search(computeDescriptor(rgba, w, h), 5); // [{asin: 'B0CHAIR001', score: 0.93, frame: 1}]
 * ```
 */
export class ImageIndex implements PhotoIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly lists: CoarseQuantiser<Entry>;
  private readonly tuning: ImageIndexTuning;
  private frameTotal = 0;
  private sectorTotal = 0;
  /** Sectors indexed when the lists were last trained; 0 before. */
  private trainedOn = 0;

  /** @param dims length of every vector; others are refused. */
  constructor(
    readonly dims: number,
    tuning: Partial<ImageIndexTuning> = {},
  ) {
    this.lists = new CoarseQuantiser(dims);
    this.tuning = { ...DEFAULT_IMAGE_INDEX_TUNING, ...tuning };
  }

  /** Number of indexed products. */
  get size(): number {
    return this.entries.size;
  }

  /** Number of indexed frames. */
  get frameCount(): number {
    return this.frameTotal;
  }

  /** Number of coarse lists (0 while the catalogue is searched exactly). */
  get listCount(): number {
    return this.lists.listCount;
  }

  /** True when the product has frames indexed. */
  has(asin: string): boolean {
    return this.entries.has(asin);
  }

  /** Indexes a product's frames, replacing what was indexed under its ASIN. Throws on a wrong vector length. */
  upsert(asin: string, frames: ReadonlyArray<PhotoFrame>): void {
    const vectors = quantiseFrames(asin, frames, this.dims);
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
    const { exactProducts, maxLists, retrainGrowth } = this.tuning;
    if (
      this.entries.size > exactProducts &&
      this.lists.listCount < maxLists &&
      this.sectorTotal >= retrainGrowth * this.trainedOn
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
   * product. Called as the catalogue grows past the exact threshold and then each time it has grown
   * fourfold until the list count reaches its maximum, so each sector is re-filed a bounded number of times.
   */
  private train(): void {
    const dims = this.dims;
    const { sectorsPerList, maxLists, samplePerList } = this.tuning;
    const listCount = Math.min(maxLists, Math.max(1, Math.round(this.sectorTotal / sectorsPerList)));
    const stride = Math.max(1, Math.floor(this.sectorTotal / (listCount * samplePerList)));
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
   * Candidates: every product up to the exact threshold, else the members of the nearest coarse lists (at
   * least 6, and more until 2% of the products are candidates). Among them, without scoring every frame:
   * for a frame f near its sector centre c (‖f − c‖ ≤ r), q·f ≤ q·c + ‖q‖·r. One dot product per sector
   * bounds each product; products are scored in descending order of bound until the next bound cannot beat
   * the k-th best score found. Caveats: past the exact threshold it scores at most max(256, 20·k) products
   * and misses a product filed only in lists not probed. Every score returned is exact (all the product's
   * frames); ties among equal scores may be ordered differently from insertion order once the lists are in use.
   */
  search(query: ArrayLike<number>, limit: number): ImageHit[] {
    const dims = this.dims;
    const q = quantiseQuery(query, dims);
    const { exactProducts, minProbes, probeShare, scoreBudget } = this.tuning;
    const approximate = this.entries.size > exactProducts && this.lists.listCount > 0;
    const entries = approximate
      ? this.lists.probe(q, minProbes, Math.ceil(this.entries.size * probeShare))
      : [...this.entries.values()];
    const bounds = new Float64Array(entries.length);
    let queryNorm = 0;
    for (let i = 0; i < dims; i++) queryNorm += q[i]! * q[i]!;
    // A hair of slack so floating-point rounding in the bound never prunes a product that ties.
    queryNorm = Math.sqrt(queryNorm) * (1 + 1e-9);
    for (let position = 0; position < entries.length; position++) {
      const { centres, radii } = entries[position]!;
      let bound = Number.NEGATIVE_INFINITY;
      for (let s = 0; s < radii.length; s++) {
        bound = Math.max(bound, dotQuery(q, centres, s * dims) + queryNorm * radii[s]! + 1);
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
      top.offer({ doc: position, score: best } satisfies Scored);
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
    let budget =
      (approximate ? Math.max(scoreBudget, 20 * limit) : Math.max(exactProducts, 20 * limit)) - seeds.size;
    for (const position of remaining) {
      // Bounds only fall from here on: once one cannot beat the k-th best, none can.
      if (bounds[position]! <= threshold() || budget-- <= 0) break;
      score(position);
    }
    return top.sorted().map(({ doc, score: value }) => ({
      asin: entries[doc]!.asin,
      score: hitScore(value),
      frame: entries[doc]!.frames[bestFrame[doc]!]!,
    }));
  }
}
