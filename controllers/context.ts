/**
 * What every controller receives: one {@link Context} with the clients, the clock, the logger, the event
 * recorder, the metrics and the configuration. Tests build their own; nothing is a module-level singleton.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { KubeClient } from '../lib/kube/client.ts';
import type { Clock } from '../lib/kube/clock.ts';
import type { KubeLogger } from '../lib/kube/logger.ts';
import type { ControllerConfig } from './config.ts';
import type { PodView } from './job-pods.ts';
import type { AssetSubmission, Job, QAReview, RenderJob } from './resources.ts';

export type { ControllerConfig, JobTemplateConfig } from './config.ts';

/** Read access to the informer caches. Cached objects are shared: never modify them. */
export interface ObjectCache {
  submission(namespace: string, name: string): AssetSubmission | undefined;
  /** Cached submissions of one ASIN (all watched namespaces). */
  submissionsWithAsin(asin: string): AssetSubmission[];
  qaReview(namespace: string, name: string): QAReview | undefined;
  qaReviews(namespace: string): QAReview[];
  /** Cached QAReviews whose `spec.submissionRef` names the submission `namespace/name`. */
  reviewsOf(namespace: string, submissionName: string): QAReview[];
  renderJob(namespace: string, name: string): RenderJob | undefined;
  /** Cached RenderJobs not yet Succeeded or Failed, from an index (cheap whatever the catalogue's size). */
  unfinishedRenderJobs(): RenderJob[];
  job(namespace: string, name: string): Job | undefined;
  /**
   * Cached pods of `job`, found by the Job controller's uid label. Only pods labelled as managed by SHAZAM
   * are cached, and only the fields {@link PodView} names.
   */
  jobPods(job: Job): readonly PodView[];
}

/** Records Kubernetes Events on objects. */
export interface EventRecorder {
  record(
    object: { apiVersion: string; kind: string; metadata: { name: string; namespace: string; uid?: string } },
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void>;
}

/** The measurements controllers report; the operator backs them with prom-client. */
export interface ControllerMetrics {
  /** A submission entered `phase`; `sinceCreationSeconds` is the time since the submission was created. */
  phaseEntered(phase: string, sinceCreationSeconds: number): void;
  /** QA rejected a revision; `area` is the first finding's area or `none`. */
  rejected(area: string): void;
  /** A render failed; `reason` is a RenderReason. */
  renderFailed(reason: string): void;
  /** Retention deleted `versions` superseded versions holding `bytes` bytes. */
  retentionApplied(versions: number, bytes: number): void;
}

/** Everything a controller needs, passed explicitly. */
export interface Context {
  kube: KubeClient;
  s3: S3Client;
  cache: ObjectCache;
  clock: Clock;
  log: KubeLogger;
  events: EventRecorder;
  metrics: ControllerMetrics;
  config: ControllerConfig;
}

/** What a reconcile asks of the work queue. */
export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (the periodic resync applies regardless). */
  requeueAfterMs?: number;
}
