/**
 * The answer of `GET /v1/assets/{asin}`, serialised once: the JSON and the ETag, so a lookup is a map
 * read and a socket write. Pure apart from the hash.
 */
import { hash } from 'node:crypto';
import { frameFileName } from '../../../../lib/storage/layout.ts';
import { type AssetUrls, encodeKeyPath } from '../../../asset-urls.ts';
import type { PublishedAsset } from '../../../catalog/published-asset.ts';

/** A ready answer. */
export interface AssetAnswer {
  /** JSON of the `Asset` schema. */
  body: string;
  /** Strong ETag, quoted. */
  etag: string;
}

/**
 * Serialises an asset with its URLs, in the field order of the `Asset` schema (the same bytes fastify's
 * serialiser would give, without its per-request cost). The ETag hashes the bytes, so it changes exactly
 * when the answer does (a new version, new product text, a re-signed URL).
 *
 * @example
 * ```ts
 * const { body, etag } = assetAnswer(asset, await assetUrls.urls(asset));
 * ```
 */
export function assetAnswer(asset: PublishedAsset, urls: AssetUrls): AssetAnswer {
  const { title, brand, tags, description } = asset.product;
  const json = JSON.stringify({
    asin: asset.asin,
    version: asset.version,
    publishedAt: asset.publishedAt,
    product: { title, brand, tags, description },
    glbUrl: urls.glbUrl,
    webGlbUrl: urls.webGlbUrl,
    ...(urls.usdzUrl ? { usdzUrl: urls.usdzUrl } : {}),
    posterUrl: urls.posterUrl,
    spin: { frameCount: asset.frameCount, frames: urls.frames },
  });
  return { body: json, etag: `"${hash('sha1', json, 'base64url')}"` };
}

/** Frame file names by frame count, made once per count (a catalogue has one or two counts). */
const frameNamesByCount = new Map<number, readonly string[]>();

function frameNames(count: number): readonly string[] {
  let names = frameNamesByCount.get(count);
  if (!names) {
    names = Array.from({ length: count }, (_, index) => frameFileName(index));
    frameNamesByCount.set(count, names);
  }
  return names;
}

/**
 * The same answer as {@link assetAnswer} with the CDN URLs of `asset-urls.ts`, built in one pass: the key
 * prefix is percent-encoded once (not once per URL, and not at all when it is URL-safe, as `layout.ts`'s
 * keys are), the frame URLs are one join over the count's names, and the ETag names the asset object (its
 * submission, resourceVersion and version) and the CDN base instead of hashing 3–4 KB. Equal to
 * {@link assetAnswer}'s bytes (`asset-answer.test.ts`).
 */
export function cdnAssetAnswer(asset: PublishedAsset, cdnBaseUrl: string): AssetAnswer {
  const base = `${cdnBaseUrl}/${encodeKeyPath(asset.prefix)}`;
  const frameBase = `${base}renders/360/`;
  const frames =
    asset.frameCount === 0 ? '' : `"${frameBase}${frameNames(asset.frameCount).join(`","${frameBase}`)}"`;
  const { title, brand, tags, description } = asset.product;
  const quote = JSON.stringify;
  const json =
    `{"asin":${quote(asset.asin)},"version":${asset.version},"publishedAt":${quote(asset.publishedAt)},` +
    `"product":${quote({ title, brand, tags, description })},"glbUrl":${quote(`${base}model.glb`)},` +
    `"webGlbUrl":${quote(`${base}model.web.glb`)},` +
    (asset.arModel ? `"usdzUrl":${quote(`${base}model.usdz`)},` : '') +
    `"posterUrl":${quote(`${base}renders/poster.webp`)},` +
    `"spin":{"frameCount":${asset.frameCount},"frames":[${frames}]}}`;
  const identity = `${asset.source}\n${asset.resourceVersion}\n${asset.version}\n${cdnBaseUrl}`;
  return { body: json, etag: `"${hash('sha1', identity, 'base64url')}"` };
}

/**
 * A bounded map of answers, least recently used out first. Answers are built when first asked for, not for
 * the whole catalogue: at 3–4 KB each (36 frame URLs), every answer of a million products would hold 3.5 GB.
 *
 * An answer is admitted on its asset's second request, not its first (a doorkeeper, as in TinyLFU): an
 * answer asked for once dies young and costs one scavenge, while one admitted and then evicted unread has
 * been copied into the old generation and costs a full collection of the catalogue's heap. Under a long
 * tail of one-off lookups that churn was most of a lookup's time.
 */
export class AnswerCache {
  private readonly entries = new Map<PublishedAsset, AssetAnswer>();
  /** Assets asked for once since the doorkeeper was last cleared. */
  private readonly seen = new Set<PublishedAsset>();

  /** @param capacity answers kept (10,000 ≈ 35 MB); the doorkeeper remembers as many assets. */
  constructor(private readonly capacity: number) {}

  /** The cached answer of this exact asset object (a changed asset is a new object). */
  get(asset: PublishedAsset): AssetAnswer | undefined {
    const answer = this.entries.get(asset);
    if (answer) {
      this.entries.delete(asset);
      this.entries.set(asset, answer);
    }
    return answer;
  }

  /** Offers an answer: kept if its asset was offered before, dropping the least recently used past capacity. */
  set(asset: PublishedAsset, answer: AssetAnswer): void {
    if (!this.seen.delete(asset)) {
      if (this.seen.size >= this.capacity) this.seen.clear();
      this.seen.add(asset);
      return;
    }
    this.entries.set(asset, answer);
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  /** Forgets an asset's answer (it was replaced or withdrawn). */
  delete(asset: PublishedAsset): void {
    this.entries.delete(asset);
    this.seen.delete(asset);
  }

  /** Answers held. */
  get size(): number {
    return this.entries.size;
  }
}
