/**
 * What the search API serves about one product: the published revision of an AssetSubmission, read from its
 * status. Pure: the Kubernetes object in, a validated record (or the reason it is not servable) out.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

/** The product fields shoppers search. */
export interface ProductFields {
  title: string;
  brand: string;
  tags: string[];
  description: string;
}

/** The published revision of one ASIN, as indexed. */
export interface PublishedAsset {
  asin: string;
  /** `namespace/name` of the AssetSubmission it comes from. */
  source: string;
  /** The published revision. */
  version: number;
  product: ProductFields;
  /** The assets bucket and the version's key prefix (ends with a slash). */
  bucket: string;
  prefix: string;
  /** Number of turntable frames. */
  frameCount: number;
  /** S3 URI of the frames' descriptors, when the renderer wrote them. */
  descriptorsUri: string | undefined;
  /** RFC 3339 time of publication. */
  publishedAt: string;
  /** Whether the version has a USDZ for AR Quick Look (`model.usdz`; versions before USDZ have none). */
  arModel?: boolean;
  /** The submission's resourceVersion, for ETags: changes whenever the object does. */
  resourceVersion: string;
}

/** The parts of an AssetSubmission the search API reads. */
export interface AssetSubmissionLike extends KubernetesObject {
  spec?: {
    asin?: unknown;
    product?: { title?: unknown; brand?: unknown; tags?: unknown; description?: unknown };
  };
  status?: {
    phase?: unknown;
    published?: {
      version?: unknown;
      bucket?: unknown;
      prefix?: unknown;
      spin?: { frameCount?: unknown };
      descriptorsUri?: unknown;
      publishedAt?: unknown;
      usdzUrl?: unknown;
    };
  };
}

/** Why a submission is not served; `not-published` is the normal case, the others are logged. */
export type NotServable = { reason: 'not-published' | 'deleting' | 'superseded' | 'invalid'; detail: string };

const ASIN = /^[A-Z0-9]{10}$/;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Reads the published revision out of an AssetSubmission. A submission being deleted or marked Superseded is
 * not served; one whose status lacks what the storefront needs (bucket, prefix, version) is `invalid`.
 *
 * @example
 * ```ts
 * const result = publishedAssetOf(submission);
 * if ('asin' in result) catalog.upsert(result);
 * ```
 */
export function publishedAssetOf(object: AssetSubmissionLike): PublishedAsset | NotServable {
  const key = `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
  const published = object.status?.published;
  if (!published || published.version === undefined) return { reason: 'not-published', detail: key };
  if (object.metadata?.deletionTimestamp) return { reason: 'deleting', detail: key };
  if (object.status?.phase === 'Superseded') return { reason: 'superseded', detail: key };
  const asin = object.spec?.asin;
  if (typeof asin !== 'string' || !ASIN.test(asin)) {
    return { reason: 'invalid', detail: `${key}: spec.asin is not 10 characters A-Z 0-9` };
  }
  const version = published.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { reason: 'invalid', detail: `${key}: status.published.version is not a positive integer` };
  }
  const bucket = text(published.bucket);
  const prefix = text(published.prefix);
  if (!bucket || !prefix.endsWith('/')) {
    return { reason: 'invalid', detail: `${key}: status.published needs bucket and a prefix ending in "/"` };
  }
  const product = object.spec?.product ?? {};
  const tags = Array.isArray(product.tags)
    ? product.tags.filter((tag): tag is string => typeof tag === 'string')
    : [];
  const frameCount = published.spin?.frameCount;
  const descriptorsUri = text(published.descriptorsUri);
  return {
    asin,
    source: key,
    version,
    product: {
      title: text(product.title),
      brand: text(product.brand),
      tags,
      description: text(product.description),
    },
    bucket,
    prefix,
    frameCount:
      typeof frameCount === 'number' && Number.isInteger(frameCount) && frameCount > 0 ? frameCount : 0,
    descriptorsUri: descriptorsUri || undefined,
    publishedAt: text(published.publishedAt),
    ...(text(published.usdzUrl) ? { arModel: true } : {}),
    resourceVersion: object.metadata?.resourceVersion ?? '',
  };
}

/** True when `a` should be served instead of `b` for the same ASIN: the higher version, then the later publication. */
export function supersedes(a: PublishedAsset, b: PublishedAsset): boolean {
  if (a.version !== b.version) return a.version > b.version;
  if (a.publishedAt !== b.publishedAt) return a.publishedAt > b.publishedAt;
  return a.source < b.source;
}
