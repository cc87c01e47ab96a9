/**
 * The objects the controllers read and write, typed after crds/*.yaml (AssetSubmission, QAReview,
 * RenderJob) and the slice of batch/v1 Job they need.
 */
import { API_VERSION, ASSET_SUBMISSION, GROUP, QA_REVIEW, RENDER_JOB, VERSION } from '../crds/api.ts';
import type { ResourceRef } from '../lib/kube/client.ts';

export { API_VERSION };

/** REST coordinates of each kind. */
export const RESOURCES = {
  assetSubmission: { group: GROUP, version: VERSION, plural: ASSET_SUBMISSION.plural },
  qaReview: { group: GROUP, version: VERSION, plural: QA_REVIEW.plural },
  renderJob: { group: GROUP, version: VERSION, plural: RENDER_JOB.plural },
  job: { group: 'batch', version: 'v1', plural: 'jobs' },
  event: { group: '', version: 'v1', plural: 'events' },
  lease: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' },
} as const satisfies Record<string, ResourceRef>;

/** Object metadata fields the controllers use. */
export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

/** metav1.OwnerReference. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** The artist stages. */
export type Stage = 'cleanup' | 'uv' | 'texturing';

/** Render settings shared by a submission's overrides and a RenderJob. */
export interface RenderSettings {
  frames?: number;
  resolution?: number;
  elevation?: number;
  background?: string;
  preset?: 'amazon-360';
}

/** AssetSubmission phases. */
export type SubmissionPhase =
  | 'Pending'
  | 'Validating'
  | 'ValidationFailed'
  | 'AwaitingQA'
  | 'Rejected'
  | 'Promoting'
  | 'Rendering'
  | 'Published'
  | 'Superseded'
  | 'Failed';

/** One finding as the submission's status shows it. */
export interface StatusFinding {
  severity: 'Error' | 'Warning' | 'Info';
  code: string;
  stage?: Stage;
  message: string;
  pointer?: string;
}

/** `status.published` of an AssetSubmission. */
export interface PublishedStatus {
  version: number;
  bucket: string;
  prefix: string;
  glbUrl: string;
  webGlbUrl: string;
  posterUrl: string;
  spin: { frameCount: number; urlTemplate: string };
  descriptorsUri: string;
  publishedAt: string;
}

/** The AssetSubmission status. */
export interface AssetSubmissionStatus {
  observedGeneration?: number;
  phase?: SubmissionPhase;
  message?: string;
  conditions?: Condition[];
  validation?: {
    verdict: 'Passed' | 'Failed';
    stages: Partial<Record<Stage, 'Passed' | 'Failed' | 'Skipped'>>;
    errors: number;
    warnings: number;
    findings: StatusFinding[];
    reportUri?: string;
    completedAt?: string;
  };
  version?: number;
  children?: { validationJob?: string; qaReview?: string; renderJob?: string };
  rejection?: {
    reviewer?: string;
    comments?: string;
    findings: { area: string; message: string }[];
    decidedAt?: string;
  };
  published?: PublishedStatus;
}

/** An AssetSubmission. */
export interface AssetSubmission {
  apiVersion: typeof API_VERSION;
  kind: 'AssetSubmission';
  metadata: ObjectMeta;
  spec: {
    asin: string;
    revision: number;
    artist: string;
    product: { title: string; brand: string; tags?: string[]; description?: string };
    delivery: { uri: string; sha256: string };
    stages?: Stage[];
    render?: RenderSettings;
  };
  status?: AssetSubmissionStatus;
}

/** QA decisions. */
export type Decision = 'Pending' | 'Approved' | 'Rejected';

/** A QAReview. */
export interface QAReview {
  apiVersion: typeof API_VERSION;
  kind: 'QAReview';
  metadata: ObjectMeta;
  spec: {
    submissionRef: { name: string };
    decision?: Decision;
    reviewer?: string;
    comments?: string;
    findings?: { area: string; message: string }[];
  };
  status?: {
    observedGeneration?: number;
    phase?: 'Open' | 'Approved' | 'Rejected' | 'Orphaned';
    conditions?: Condition[];
    submission?: { name: string; asin: string; revision: number };
    openedAt?: string;
    decidedAt?: string;
  };
}

/** RenderJob phases. */
export type RenderPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** The RenderJob status. */
export interface RenderJobStatus {
  observedGeneration?: number;
  phase?: RenderPhase;
  message?: string;
  conditions?: Condition[];
  jobName?: string;
  framesRendered?: number;
  outputs?: { manifestUri: string; posterUri: string; framesPrefix: string; descriptorsUri: string };
  device?: { name: string; backend: string; software: boolean };
  timings?: { startedAt?: string; completedAt?: string; renderSeconds?: number; framesPerSecond?: number };
}

/** A RenderJob. */
export interface RenderJob {
  apiVersion: typeof API_VERSION;
  kind: 'RenderJob';
  metadata: ObjectMeta;
  spec: RenderSettings & {
    source: { uri: string };
    output: { uri: string };
    formats?: ('webp' | 'png')[];
    gpu?: { required?: boolean; resourceName?: string; count?: number };
  };
  status?: RenderJobStatus;
}

/** The part of a batch/v1 Job the controllers build and read. */
export interface Job {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: {
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }[];
  };
}

/** Where a Job stands. */
export type JobState = 'Running' | 'Succeeded' | 'Failed';

/** Reads a Job's state from its conditions (`Complete`/`SuccessCriteriaMet` or `Failed`). */
export function jobState(job: Job): { state: JobState; message?: string } {
  for (const condition of job.status?.conditions ?? []) {
    if (condition.status !== 'True') continue;
    if (condition.type === 'Complete') return { state: 'Succeeded' };
    if (condition.type === 'Failed') {
      return { state: 'Failed', message: condition.message ?? condition.reason ?? 'the Job failed' };
    }
  }
  return { state: 'Running' };
}
