/**
 * Builds the URLs the storefront loads: through the CDN when one is configured, else presigned S3 GET URLs
 * (cached for half their lifetime, so a popular product does not cost a signature per request).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { frameFileName } from '../lib/storage/layout.ts';
import type { PublishedAsset } from './catalog/published-asset.ts';

/** Every URL of one published asset. */
export interface AssetUrls {
  glbUrl: string;
  webGlbUrl: string;
  /** The USDZ for AR Quick Look, when the version has one. */
  usdzUrl?: string;
  posterUrl: string;
  /** One URL per turntable frame, frame 0 first. */
  frames: string[];
}

/** Options of {@link createAssetUrls}. */
export interface AssetUrlsOptions {
  /** CDN base URL of the assets bucket (no trailing slash); unset: presign. */
  cdnBaseUrl?: string | undefined;
  /** Client for presigning (no request is sent). */
  s3: S3Client;
  /** Lifetime of a presigned URL in seconds. */
  ttlSeconds: number;
  /** Milliseconds since the epoch; tests pass their own. */
  now?: () => number;
}

/** Resolves the URLs of published assets. */
export interface AssetUrlResolver {
  urls(asset: PublishedAsset): Promise<AssetUrls>;
  /** The poster URL alone (a search hit needs no more): one URL built or signed, not the turntable's. */
  posterUrl(asset: PublishedAsset): Promise<string>;
  /** True when URLs are CDN URLs that every client may cache. */
  readonly publicUrls: boolean;
  /** The CDN base URL when URLs are CDN URLs (`<base>/<key>`, each key segment percent-encoded). */
  readonly cdnBaseUrl?: string;
}

/** Keys made of URL-safe characters only, which `encodeURIComponent` leaves as they are. */
const URL_SAFE_PATH = /^[A-Za-z0-9\-._~/]*$/;

/**
 * An S3 key as a URL path: each segment percent-encoded, the slashes kept. Keys of `layout.ts` are URL-safe
 * and returned as they are, without splitting.
 */
export function encodeKeyPath(key: string): string {
  return URL_SAFE_PATH.test(key) ? key : key.split('/').map(encodeURIComponent).join('/');
}

function posterKey(asset: PublishedAsset): string {
  return `${asset.prefix}renders/poster.webp`;
}

function keys(asset: PublishedAsset): {
  glb: string;
  webGlb: string;
  usdz: string | undefined;
  poster: string;
  frames: string[];
} {
  const renders = `${asset.prefix}renders/`;
  return {
    glb: `${asset.prefix}model.glb`,
    webGlb: `${asset.prefix}model.web.glb`,
    usdz: asset.arModel ? `${asset.prefix}model.usdz` : undefined,
    poster: posterKey(asset),
    frames: Array.from({ length: asset.frameCount }, (_, index) => `${renders}360/${frameFileName(index)}`),
  };
}

/**
 * Creates the URL resolver.
 *
 * @example
 * ```ts
 * const resolver = createAssetUrls({ cdnBaseUrl: 'https://cdn.example.com', s3, ttlSeconds: 3600 });
 * (await resolver.urls(asset)).glbUrl // 'https://cdn.example.com/assets/B0CHAIR001/versions/3/model.glb'
 * ```
 */
export function createAssetUrls(options: AssetUrlsOptions): AssetUrlResolver {
  const { cdnBaseUrl, s3, ttlSeconds } = options;
  const now = options.now ?? Date.now;
  if (cdnBaseUrl) {
    const url = (key: string): string => `${cdnBaseUrl}/${encodeKeyPath(key)}`;
    return {
      publicUrls: true,
      cdnBaseUrl,
      async urls(asset) {
        const k = keys(asset);
        return {
          glbUrl: url(k.glb),
          webGlbUrl: url(k.webGlb),
          ...(k.usdz ? { usdzUrl: url(k.usdz) } : {}),
          posterUrl: url(k.poster),
          frames: k.frames.map(url),
        };
      },
      async posterUrl(asset) {
        return url(posterKey(asset));
      },
    };
  }
  const bundles = new SignedCache<AssetUrls>(now);
  const posters = new SignedCache<string>(now);
  // Half the lifetime: a URL handed out from the cache is still valid for at least ttl/2.
  const keepMs = (ttlSeconds * 1000) / 2;
  const sign = (bucket: string, key: string): Promise<string> =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: ttlSeconds });
  const bundleKey = (asset: PublishedAsset): string =>
    `${asset.bucket}/${asset.prefix}#${asset.frameCount}${asset.arModel ? '+ar' : ''}`;
  return {
    publicUrls: false,
    urls(asset) {
      const cacheKey = bundleKey(asset);
      const cached = bundles.get(cacheKey);
      if (cached) return cached;
      const k = keys(asset);
      const urls = Promise.all([
        sign(asset.bucket, k.glb),
        sign(asset.bucket, k.webGlb),
        sign(asset.bucket, k.poster),
        Promise.all(k.frames.map((key) => sign(asset.bucket, key))),
        k.usdz ? sign(asset.bucket, k.usdz) : undefined,
      ]).then(([glbUrl, webGlbUrl, posterUrl, frames, usdzUrl]) => ({
        glbUrl,
        webGlbUrl,
        ...(usdzUrl ? { usdzUrl } : {}),
        posterUrl,
        frames,
      }));
      bundles.set(cacheKey, urls, keepMs);
      return urls;
    },
    posterUrl(asset) {
      const bundle = bundles.get(bundleKey(asset));
      if (bundle) return bundle.then((urls) => urls.posterUrl);
      const cacheKey = `${asset.bucket}/${posterKey(asset)}`;
      const cached = posters.get(cacheKey);
      if (cached) return cached;
      const signed = sign(asset.bucket, posterKey(asset));
      posters.set(cacheKey, signed, keepMs);
      return signed;
    },
  };
}

/** Signed URLs by key until a deadline; a failed signature is forgotten; the oldest go past 50,000. */
class SignedCache<T> {
  private readonly entries = new Map<string, { until: number; value: Promise<T> }>();

  constructor(private readonly now: () => number) {}

  get(key: string): Promise<T> | undefined {
    const entry = this.entries.get(key);
    return entry && entry.until > this.now() ? entry.value : undefined;
  }

  set(key: string, value: Promise<T>, keepMs: number): void {
    this.entries.set(key, { until: this.now() + keepMs, value });
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > 50_000) this.entries.delete(this.entries.keys().next().value!);
  }
}
