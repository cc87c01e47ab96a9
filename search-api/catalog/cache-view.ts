/**
 * The search API's cache transform: of each AssetSubmission its informer keeps only what
 * {@link publishedAssetOf} reads (identity, ASIN, product fields, phase and `status.published`), so the watch
 * cache of a large catalogue holds a few hundred bytes per submission instead of the whole object with its
 * `managedFields`, conditions and validation report.
 */
import type { AssetSubmissionLike } from './published-asset.ts';

/** The fields of `object` the catalogue reads; everything else is dropped before caching. Pure. */
export function catalogView(object: AssetSubmissionLike): AssetSubmissionLike {
  const { metadata, spec, status } = object;
  const published = status?.published;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name: metadata?.name,
      namespace: metadata?.namespace,
      uid: metadata?.uid,
      resourceVersion: metadata?.resourceVersion,
      ...(metadata?.deletionTimestamp ? { deletionTimestamp: metadata.deletionTimestamp } : {}),
    },
    spec: { asin: spec?.asin, ...(published ? { product: spec?.product } : {}) },
    status: {
      phase: status?.phase,
      ...(published
        ? {
            published: {
              version: published.version,
              bucket: published.bucket,
              prefix: published.prefix,
              spin: { frameCount: published.spin?.frameCount },
              descriptorsUri: published.descriptorsUri,
              publishedAt: published.publishedAt,
              ...(published.usdzUrl ? { usdzUrl: published.usdzUrl } : {}),
            },
          }
        : {}),
    },
  };
}
