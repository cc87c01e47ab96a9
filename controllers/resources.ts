/**
 * The objects the controllers read and write. The SHAZAM kinds (AssetSubmission, QAReview, RenderJob) are
 * the types generated from crds/*.yaml; batch/v1 Job is the slice the controllers need.
 */
import type {
  AssetSubmissionPhase,
  AssetSubmissionSpec,
  AssetSubmissionStatus,
  AssetSubmission as CommittedSubmission,
  Condition,
  ObjectMeta,
  OwnerReference,
  PublishedAsset,
  QADecision,
  QAReview,
  RenderJob,
  RenderJobPhase,
  RenderJobStatus,
  RenderOverrides,
  Stage,
  ValidationFinding,
} from '../crds/api.ts';
import { API_VERSION, ASSET_SUBMISSION, GROUP, QA_REVIEW, RENDER_JOB, VERSION } from '../crds/api.ts';
import type { ResourceRef } from '../lib/kube/client.ts';

export type {
  AssetSubmissionStatus,
  Condition,
  ObjectMeta,
  OwnerReference,
  QAReview,
  RenderJob,
  RenderJobStatus,
  Stage,
};
export { API_VERSION };

/**
 * A submission as the controllers see it: the committed object, except that `spec.product` and
 * `spec.artist` may be absent. No controller reads them (people and the search API do), so the operator's
 * cache drops them (`slimSubmission` in operator/cache.ts).
 */
export type AssetSubmission = Omit<CommittedSubmission, 'spec'> & {
  spec: Omit<AssetSubmissionSpec, 'product' | 'artist'> &
    Partial<Pick<AssetSubmissionSpec, 'product' | 'artist'>>;
};

/** REST coordinates of each kind. */
export const RESOURCES = {
  assetSubmission: { group: GROUP, version: VERSION, plural: ASSET_SUBMISSION.plural },
  qaReview: { group: GROUP, version: VERSION, plural: QA_REVIEW.plural },
  renderJob: { group: GROUP, version: VERSION, plural: RENDER_JOB.plural },
  job: { group: 'batch', version: 'v1', plural: 'jobs' },
  event: { group: '', version: 'v1', plural: 'events' },
  lease: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' },
  pod: { group: '', version: 'v1', plural: 'pods' },
} as const satisfies Record<string, ResourceRef>;

/** Render settings of a submission's overrides and of a RenderJob (`AssetSubmission.spec.render`). */
export type RenderSettings = RenderOverrides;

/** AssetSubmission phases. */
export type SubmissionPhase = AssetSubmissionPhase;

/** One finding as the submission's status shows it. */
export type StatusFinding = ValidationFinding;

/** `status.published` of an AssetSubmission. */
export type PublishedStatus = PublishedAsset;

/** QA decisions. */
export type Decision = QADecision;

/** RenderJob phases. */
export type RenderPhase = RenderJobPhase;

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
