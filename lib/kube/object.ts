/**
 * The structural shape every Kubernetes object shares, as far as this library reads it. Both JSON-shaped
 * objects (timestamps as RFC 3339 strings, as a REST response carries them and as `crds/` types them) and
 * client-node's classes (timestamps as `Date`) satisfy it, so callers never cast between the two.
 */

/** The metadata fields the library reads. */
export interface KubeObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  finalizers?: string[];
  /** Set once deletion was requested: an RFC 3339 string on the wire, a `Date` in client-node's classes. */
  deletionTimestamp?: string | Date;
  labels?: Record<string, string>;
}

/** Any Kubernetes object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObjectMeta;
}
