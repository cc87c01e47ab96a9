/**
 * Cache transforms: what an informer keeps of each object it lists or watches, applied once on ingest (as
 * controller-runtime's `cache.Options.DefaultTransform` and client-go's `SetTransform` do). An informer holds
 * every object of its type for the life of the process, so the fields nobody reads (`managedFields` above
 * all, often half of a small object) are dropped before they are cached.
 *
 * Caveat: a transformed object is a partial view. Never write one back whole (PUT): patch the fields you
 * own, or read the object fresh first.
 */

import { internStrings } from './intern-strings.ts';

/** A function applied to every object an informer caches; it returns the object to keep. */
export type CacheTransform<T> = (object: T) => T;

/**
 * `transform`, then every string the kept object holds interned ({@link internStrings}): equal values
 * across cached objects (reasons, label values, timestamps, API versions) share one copy. The informer
 * owns the objects it passes, so interning them in place is safe.
 */
export function interned<T>(transform: CacheTransform<T>): CacheTransform<T> {
  return (object) => internStrings(transform(object));
}

/** The annotation `kubectl apply` leaves on every object it applied: a copy of the whole manifest. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

interface Meta {
  managedFields?: unknown;
  annotations?: Record<string, string>;
}

/**
 * Returns `metadata` without `managedFields` and without the annotations `keepAnnotation` refuses (all kept
 * when it is unset, except `kubectl apply`'s copy of the manifest). `annotations` is left out when none
 * remain. Pure: the input is not modified.
 */
export function slimMetadata<M extends Meta>(metadata: M, keepAnnotation?: (key: string) => boolean): M {
  const { managedFields: _dropped, annotations, ...rest } = metadata;
  const keep = keepAnnotation ?? ((key: string) => key !== LAST_APPLIED_ANNOTATION);
  let kept: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (!keep(key)) continue;
    kept ??= {};
    kept[key] = value;
  }
  return (kept ? { ...rest, annotations: kept } : rest) as M;
}

/**
 * The default transform: drops `metadata.managedFields` and the last-applied annotation, keeps the rest.
 * Objects without metadata pass unchanged.
 */
export function stripManagedFields<T extends { metadata?: Meta }>(object: T): T {
  if (!object.metadata) return object;
  return { ...object, metadata: slimMetadata(object.metadata) };
}

/** True for an annotation or label key whose prefix is one of `domains` or a subdomain of one. */
export function inDomains(domains: readonly string[]): (key: string) => boolean {
  return (key) => {
    const slash = key.indexOf('/');
    if (slash < 0) return false;
    const domain = key.slice(0, slash);
    return domains.some((d) => domain === d || domain.endsWith(`.${d}`));
  };
}

/**
 * A transform that drops `managedFields` and keeps only the annotations whose key is in one of the
 * `annotationDomains` (`pipeline.shazam.dev` keeps `pipeline.shazam.dev/x` and `a.pipeline.shazam.dev/y`).
 */
export function keepAnnotationsOf<T extends { metadata?: Meta }>(
  annotationDomains: readonly string[],
): CacheTransform<T> {
  const keep = inDomains(annotationDomains);
  return (object) =>
    object.metadata ? { ...object, metadata: slimMetadata(object.metadata, keep) } : object;
}
