/**
 * The controllers' {@link ObjectCache} over the operator's informers, with the indexes event mapping
 * and observation need: submissions by ASIN, QAReviews by the submission they name, the unfinished
 * RenderJobs and the pods of each Job (so no reconcile scans every cached object or lists pods).
 */

import type { ObjectCache } from '../controllers/context.ts';
import type { WatchedObjects } from '../controllers/controller.ts';
import { JOB_CONTROLLER_UID_LABEL, type PodView } from '../controllers/job-pods.ts';
import type { AssetSubmission, Job, QAReview, RenderJob } from '../controllers/resources.ts';
import {
  type CacheTransform,
  inDomains,
  interned,
  keepAnnotationsOf,
  slimMetadata,
} from '../lib/kube/cache-transform.ts';
import { type Informer, objectKey } from '../lib/kube/informer.ts';

/** A pod as the operator caches it: {@link PodView} with the metadata the informer and the index need. */
export interface CachedPod extends PodView {
  metadata: PodView['metadata'] & {
    namespace: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
}

/**
 * The informers the operator runs: one per watched source, and the pods of SHAZAM's Jobs, which only
 * observation reads (no controller is triggered by a pod).
 */
export type OperatorInformers = WatchedInformers & { Pod: Informer<CachedPod> };

/** The informers of the watched sources, one per key of {@link WatchedObjects}. */
export type WatchedInformers = { [S in keyof WatchedObjects]: Informer<WatchedObjects[S]> };

/** The annotation domains the controllers read (`pipeline.shazam.dev/takes-over`); others are not cached. */
export const READ_ANNOTATION_DOMAINS = ['shazam.dev'] as const;

const keepOurAnnotations = inDomains(READ_ANNOTATION_DOMAINS);

/**
 * What the operator caches of a submission: the object without `managedFields` and foreign annotations,
 * and without the spec fields only people and the search API read (`product`, `artist`). Spec and status
 * are otherwise whole: the controllers read most of the spec and carry the status forward.
 */
export function slimSubmission(submission: AssetSubmission): AssetSubmission {
  const { product: _product, artist: _artist, ...spec } = submission.spec;
  return {
    ...submission,
    metadata: slimMetadata(submission.metadata, keepOurAnnotations),
    spec,
  };
}

/**
 * What the operator caches of a Job: its metadata (without `managedFields` and foreign annotations) and the
 * status fields the controllers read (conditions, start and completion times, pod counts). The spec (the
 * pod template, most of a Job's bytes) is never read back: the controllers built it.
 */
export function slimJob(job: Job): Job {
  const status = job.status;
  return {
    apiVersion: job.apiVersion,
    kind: job.kind,
    metadata: slimMetadata(job.metadata, keepOurAnnotations),
    spec: {},
    ...(status
      ? {
          status: {
            active: status.active,
            succeeded: status.succeeded,
            failed: status.failed,
            startTime: status.startTime,
            completionTime: status.completionTime,
            conditions: status.conditions?.map(({ type, status: s, reason, message }) => ({
              type,
              status: s,
              reason,
              message,
            })),
          },
        }
      : {}),
  };
}

type ContainerState = NonNullable<NonNullable<PodView['status']>['containerStatuses']>[number]['state'];

function slimContainerState(state: ContainerState): ContainerState {
  if (!state) return undefined;
  const { terminated, waiting } = state;
  if (terminated) {
    const { exitCode, reason, message, signal } = terminated;
    return { terminated: { exitCode, reason, message, signal } };
  }
  if (waiting) return { waiting: { reason: waiting.reason, message: waiting.message } };
  // Running: nothing in it is read, but its presence says the container neither waits nor ended.
  return {};
}

/**
 * What the operator caches of a pod: what {@link podFailure} and {@link podPlacement} read (node name,
 * phase, reason and message, the `PodScheduled` condition, each container's terminated or waiting state)
 * and the Job controller's uid label it is indexed by. The spec (the Job's pod template again), the other
 * labels, annotations and `managedFields` are dropped.
 */
export function slimPod(pod: CachedPod): CachedPod {
  const { name, namespace, resourceVersion, creationTimestamp, labels } = pod.metadata;
  const uid = labels?.[JOB_CONTROLLER_UID_LABEL];
  const status = pod.status;
  const scheduled = status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  return {
    metadata: {
      name,
      namespace,
      resourceVersion,
      creationTimestamp,
      ...(uid === undefined ? {} : { labels: { [JOB_CONTROLLER_UID_LABEL]: uid } }),
    },
    ...(pod.spec?.nodeName ? { spec: { nodeName: pod.spec.nodeName } } : {}),
    ...(status
      ? {
          status: {
            phase: status.phase,
            reason: status.reason,
            message: status.message,
            ...(scheduled
              ? {
                  conditions: [
                    {
                      type: scheduled.type,
                      status: scheduled.status,
                      reason: scheduled.reason,
                      message: scheduled.message,
                    },
                  ],
                }
              : {}),
            containerStatuses: status.containerStatuses?.map((container) => ({
              name: container.name,
              state: slimContainerState(container.state),
              lastState: slimContainerState(container.lastState),
            })),
          },
        }
      : {}),
  };
}

/**
 * The cache transform of each informer. The SHAZAM kinds keep their status whole (the controllers diff
 * their status against the cached one) and lose `managedFields` and annotations outside
 * {@link READ_ANNOTATION_DOMAINS}; submissions lose what {@link slimSubmission} drops; Jobs and pods keep
 * only what {@link slimJob} and {@link slimPod} keep. Every kept string is interned, so the values cached
 * objects repeat (reasons, label values, timestamps, API versions) are held once.
 */
export const OPERATOR_TRANSFORMS: { [S in keyof WatchedObjects]: CacheTransform<WatchedObjects[S]> } & {
  Pod: CacheTransform<CachedPod>;
} = {
  AssetSubmission: interned(slimSubmission),
  QAReview: interned(keepAnnotationsOf(READ_ANNOTATION_DOMAINS)),
  RenderJob: interned(keepAnnotationsOf(READ_ANNOTATION_DOMAINS)),
  Job: interned(slimJob),
  Pod: interned(slimPod),
};

/**
 * Wraps informers as the controllers' read-only cache and keeps its indexes current from the informers'
 * events. Call it before registering any other handler, so the indexes are current when those run.
 */
export function cacheFromInformers(informers: OperatorInformers): ObjectCache {
  const byAsin = new KeyIndex();
  const reviewsBySubmission = new KeyIndex();
  const indexSubmission = (submission: AssetSubmission) =>
    byAsin.set(objectKey(submission), submission.spec.asin);
  const indexReview = (review: QAReview) =>
    reviewsBySubmission.set(
      objectKey(review),
      `${review.metadata.namespace}/${review.spec.submissionRef.name}`,
    );
  informers.AssetSubmission.on('add', indexSubmission);
  informers.AssetSubmission.on('update', indexSubmission);
  informers.AssetSubmission.on('delete', (submission) => byAsin.remove(objectKey(submission)));
  informers.QAReview.on('add', indexReview);
  informers.QAReview.on('update', indexReview);
  informers.QAReview.on('delete', (review) => reviewsBySubmission.remove(objectKey(review)));
  const unfinished = new Set<string>();
  const indexRenderJob = (renderJob: RenderJob) => {
    const phase = renderJob.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') unfinished.delete(objectKey(renderJob));
    else unfinished.add(objectKey(renderJob));
  };
  informers.RenderJob.on('add', indexRenderJob);
  informers.RenderJob.on('update', indexRenderJob);
  informers.RenderJob.on('delete', (renderJob) => unfinished.delete(objectKey(renderJob)));
  const podsByJob = new KeyIndex();
  const indexPod = (pod: CachedPod) => {
    const uid = pod.metadata.labels?.[JOB_CONTROLLER_UID_LABEL];
    if (uid === undefined) podsByJob.remove(objectKey(pod));
    else podsByJob.set(objectKey(pod), `${pod.metadata.namespace}/${uid}`);
  };
  informers.Pod.on('add', indexPod);
  informers.Pod.on('update', indexPod);
  informers.Pod.on('delete', (pod) => podsByJob.remove(objectKey(pod)));
  const lookup = <T extends { metadata: { name: string } }>(informer: Informer<T>, keys: string[]): T[] =>
    keys.flatMap((key) => {
      const slash = key.indexOf('/');
      const found = informer.get(key.slice(0, slash), key.slice(slash + 1));
      return found ? [found] : [];
    });
  return {
    submission: (namespace, name) => informers.AssetSubmission.get(namespace, name),
    submissionsWithAsin: (asin) => lookup(informers.AssetSubmission, byAsin.keys(asin)),
    qaReview: (namespace, name) => informers.QAReview.get(namespace, name),
    qaReviews: (namespace) => informers.QAReview.list(namespace),
    reviewsOf: (namespace, name) =>
      lookup(informers.QAReview, reviewsBySubmission.keys(`${namespace}/${name}`)),
    renderJob: (namespace, name) => informers.RenderJob.get(namespace, name),
    unfinishedRenderJobs: () => lookup(informers.RenderJob, [...unfinished]),
    job: (namespace, name) => informers.Job.get(namespace, name),
    jobPods: (job) =>
      job.metadata.uid
        ? lookup(informers.Pod, podsByJob.keys(`${job.metadata.namespace}/${job.metadata.uid}`))
        : [],
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
