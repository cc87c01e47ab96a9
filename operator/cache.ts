/**
 * The controllers' {@link ObjectCache} over the operator's informers, with the two indexes event mapping
 * needs: submissions by ASIN and QAReviews by the submission they name.
 */

import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObjectCache } from '../controllers/context.ts';
import type { AssetSubmission, Job, QAReview, RenderJob } from '../controllers/resources.ts';
import type { Informer } from '../lib/kube/informer.ts';

/**
 * An informer of one of our kinds. client-node types timestamps as `Date` while the wire (and our types)
 * carry RFC 3339 strings; the intersection satisfies the informer's constraint without converting.
 */
export type Cached<T> = T & KubernetesObject;

/** The informers the operator runs. */
export interface OperatorInformers {
  submissions: Informer<Cached<AssetSubmission>>;
  reviews: Informer<Cached<QAReview>>;
  renderJobs: Informer<Cached<RenderJob>>;
  jobs: Informer<Cached<Job>>;
}

/**
 * Wraps informers as the controllers' read-only cache; `byAsin` indexes submission keys
 * (`namespace/name`) by ASIN and is kept current by the operator's event handlers.
 */
export function cacheFromInformers(informers: OperatorInformers, byAsin: KeyIndex): ObjectCache {
  return {
    submission: (namespace, name) => informers.submissions.get(namespace, name),
    submissionsWithAsin: (asin) =>
      byAsin.keys(asin).flatMap((key) => {
        const slash = key.indexOf('/');
        const found = informers.submissions.get(key.slice(0, slash), key.slice(slash + 1));
        return found ? [found] : [];
      }),
    qaReview: (namespace, name) => informers.reviews.get(namespace, name),
    qaReviews: (namespace) => informers.reviews.list(namespace),
    renderJob: (namespace, name) => informers.renderJobs.get(namespace, name),
    renderJobs: () => informers.renderJobs.list(),
    job: (namespace, name) => informers.jobs.get(namespace, name),
  };
}

/** A multimap of index value → object keys, kept current from informer events. */
export class KeyIndex {
  private readonly byValue = new Map<string, Set<string>>();
  private readonly valueOf = new Map<string, string>();

  /** Records that `key` now has `value` (replacing its previous value). */
  set(key: string, value: string): void {
    this.remove(key);
    this.valueOf.set(key, value);
    let keys = this.byValue.get(value);
    if (!keys) {
      keys = new Set();
      this.byValue.set(value, keys);
    }
    keys.add(key);
  }

  /** Forgets `key`. */
  remove(key: string): void {
    const value = this.valueOf.get(key);
    if (value === undefined) return;
    this.valueOf.delete(key);
    const keys = this.byValue.get(value);
    keys?.delete(key);
    if (keys?.size === 0) this.byValue.delete(value);
  }

  /** Keys with `value`. */
  keys(value: string): string[] {
    return [...(this.byValue.get(value) ?? [])];
  }
}
