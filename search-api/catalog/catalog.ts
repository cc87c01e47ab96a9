/**
 * The search API's in-memory catalogue: the published assets, one per ASIN, with their text and photo
 * indexes. Fed by the Kubernetes watch (one call per submission change); read by the routes.
 */
import { ImageIndex } from './image-index.ts';
import type { ImageHit, PhotoIndex } from './photo-index.ts';
import { type PublishedAsset, supersedes } from './published-asset.ts';
import { TextIndex, type TextSearchOptions } from './text-index.ts';

/** A change of the asset served for one ASIN. */
export interface CatalogChange {
  asin: string;
  /** The asset now served, or undefined when the ASIN left the catalogue. */
  current: PublishedAsset | undefined;
  previous: PublishedAsset | undefined;
}

/** A text or photo hit with the asset it found. */
export interface CatalogHit<H> {
  hit: H;
  asset: PublishedAsset;
}

/**
 * The catalogue. Several submissions may publish the same ASIN (a product re-created under a new name): the
 * highest published version wins, and when it goes the next one is served again.
 *
 * @example
 * ```ts
 * const catalog = new Catalog(DESCRIPTOR_DIMS);
 * catalog.onChange(({ asin, current }) => log.info({ asin, version: current?.version }, 'Indexed asset'));
 * catalog.apply('shop/chair', publishedAsset);
 * catalog.get('B0CHAIR001');
 * ```
 */
export class Catalog {
  private readonly bySource = new Map<string, PublishedAsset>();
  private readonly candidates = new Map<string, Map<string, PublishedAsset>>();
  private readonly served = new Map<string, PublishedAsset>();
  private readonly text = new TextIndex();
  private readonly images: PhotoIndex;
  private readonly listeners = new Set<(change: CatalogChange) => void>();

  /** @param images the photo index (the in-memory {@link ImageIndex} unless another is given). */
  constructor(dims: number, images: PhotoIndex = new ImageIndex(dims)) {
    this.images = images;
  }

  /** Number of ASINs served. */
  get size(): number {
    return this.served.size;
  }

  /** Number of ASINs with photo descriptors, and of their frames. */
  get imageStats(): { assets: number; frames: number } {
    return { assets: this.images.size, frames: this.images.frameCount };
  }

  /** Registers a listener for changes of the asset served for an ASIN; returns its remover. */
  onChange(listener: (change: CatalogChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records what submission `source` (`namespace/name`) publishes now; undefined when it publishes nothing. */
  apply(source: string, asset: PublishedAsset | undefined): void {
    const before = this.bySource.get(source);
    if (before) {
      this.bySource.delete(source);
      this.candidates.get(before.asin)?.delete(source);
    }
    if (asset) {
      this.bySource.set(source, asset);
      let forAsin = this.candidates.get(asset.asin);
      if (!forAsin) {
        forAsin = new Map();
        this.candidates.set(asset.asin, forAsin);
      }
      forAsin.set(source, asset);
    }
    const touched = new Set([before?.asin, asset?.asin].filter((asin): asin is string => asin !== undefined));
    for (const asin of touched) this.reselect(asin);
  }

  /** Sorts what queries would otherwise sort lazily; call after a bulk load. See {@link TextIndex.prepare}. */
  prepare(): void {
    this.text.prepare();
  }

  /** The asset served for an ASIN. */
  get(asin: string): PublishedAsset | undefined {
    return this.served.get(asin);
  }

  /** Every served asset (for re-loading descriptors). */
  assets(): IterableIterator<PublishedAsset> {
    return this.served.values();
  }

  /**
   * Stores the photo descriptors of an asset's frames, if `asset` is still the one served for its ASIN
   * (descriptors load asynchronously; a newer version may have arrived meanwhile). Returns whether they were kept.
   */
  setDescriptors(
    asset: PublishedAsset,
    frames: ReadonlyArray<{ index: number; vector: ArrayLike<number> }>,
  ): boolean {
    const served = this.served.get(asset.asin);
    if (!served || served.version !== asset.version || served.descriptorsUri !== asset.descriptorsUri)
      return false;
    this.images.upsert(asset.asin, frames);
    return true;
  }

  /** True when photo descriptors are indexed for the ASIN. */
  hasDescriptors(asin: string): boolean {
    return this.images.has(asin);
  }

  /** Text search; see {@link TextIndex.search}. */
  searchText(
    query: string,
    options: TextSearchOptions,
  ): { hits: Array<CatalogHit<{ score: number }>>; hasMore: boolean } {
    const result = this.text.search(query, options);
    return {
      hits: result.hits.flatMap((hit) => {
        const asset = this.served.get(hit.asin);
        return asset ? [{ hit: { score: hit.score }, asset }] : [];
      }),
      hasMore: result.hasMore,
    };
  }

  /**
   * Photo search; see {@link PhotoIndex.search}. Asynchronous because an index may answer across the network;
   * hits whose ASIN left the catalogue while it answered are dropped.
   */
  async searchImage(descriptor: ArrayLike<number>, limit: number): Promise<Array<CatalogHit<ImageHit>>> {
    const hits = await this.images.search(descriptor, limit);
    return hits.flatMap((hit) => {
      const asset = this.served.get(hit.asin);
      return asset ? [{ hit, asset }] : [];
    });
  }

  private reselect(asin: string): void {
    let best: PublishedAsset | undefined;
    for (const candidate of this.candidates.get(asin)?.values() ?? []) {
      if (!best || supersedes(candidate, best)) best = candidate;
    }
    if (this.candidates.get(asin)?.size === 0) this.candidates.delete(asin);
    const previous = this.served.get(asin);
    if (previous === best) return;
    if (best) {
      this.served.set(asin, best);
      const { title, brand, tags, description } = best.product;
      this.text.upsert({ asin, title, brand, tags, description });
    } else {
      this.served.delete(asin);
      this.text.remove(asin);
    }
    // Descriptors belong to a version: a new version's frames are loaded anew.
    if (
      !best ||
      !previous ||
      previous.version !== best.version ||
      previous.descriptorsUri !== best.descriptorsUri
    ) {
      this.images.remove(asin);
    }
    for (const listener of this.listeners) listener({ asin, current: best, previous });
  }
}
