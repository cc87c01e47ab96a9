/**
 * What the AssetSubmission controller sees of one submission: the object, its children from the informer
 * caches, and the few S3 facts the current step needs. Plain data, so plans are pure functions of it.
 */
import type { ValidationResult } from '../../lib/contracts/validation-result.ts';
import { isConditionTrue } from '../../lib/kube/status.ts';
import type { PodFailure } from '../job-pods.ts';
import { validationJobName } from '../names.ts';
import type { PublishedPointer } from '../published-pointer.ts';
import type { AssetSubmission, Job, QAReview, RenderJob } from '../resources.ts';
import type { Ownership } from './ownership.ts';

/** The compact validation result as read from S3. */
export type ResultObservation =
  | { state: 'unread' }
  | { state: 'missing' }
  | { state: 'found'; result: ValidationResult }
  | { state: 'invalid'; message: string };

/** S3 facts read while promoting or cleaning up. */
export interface StorageObservation {
  /** `complete.json` of the current revision exists. */
  complete: boolean;
  /** Key of the revision's USDZ for AR Quick Look, as its `complete.json` names it (absent: none stored). */
  arModel?: string;
  /** The current published pointer. */
  pointer: PublishedPointer | undefined;
  /** Revisions with a folder under `versions/`. */
  stored: number[];
}

/** The observed state of one submission. */
export interface SubmissionObserved {
  submission: AssetSubmission;
  /** The time of this reconcile (RFC 3339). */
  now: string;
  validationJob: Job | undefined;
  /** Why the validation Job's pod failed, when it did and a pod still says so. */
  validationFailure: PodFailure | undefined;
  result: ResultObservation;
  /** This submission's standing for its ASIN. */
  ownership: Ownership;
  /** Another live submission of the ASIN with the same revision (its data is shared), if any. */
  sameRevisionPeer: boolean;
  /** The QAReview that decides the current revision: the operator's own or one QA committed. */
  review: QAReview | undefined;
  /** QAReviews naming the submission that the QAReview controller has not bound to a revision yet. */
  unboundReviews: number;
  renderJob: RenderJob | undefined;
  /** The newest version of the same ASIN published by another submission, if newer than this revision. */
  newerPublished: { namespace: string; name: string; version: number } | undefined;
  /** Revisions of the ASIN a RenderJob that has not finished reads or writes. */
  inUse: number[];
  /** Read only when promotion or cleanup needs it. */
  storage: StorageObservation | undefined;
}

/** True when the status already records the validation verdict of the current delivery. */
export function validationRecorded(submission: AssetSubmission): boolean {
  const status = submission.status;
  return status?.children?.validationJob === validationJobName(submission) && status.validation !== undefined;
}

/** True when the status already records the promotion of the current revision. */
export function promotionRecorded(submission: AssetSubmission): boolean {
  return (
    submission.status?.version === submission.spec.revision &&
    isConditionTrue(submission.status?.conditions, 'Promoted')
  );
}

/** True when the status already records the failure of the validation Job `jobName` (with its reason). */
export function jobFailureRecorded(submission: AssetSubmission, jobName: string): boolean {
  const validated = submission.status?.conditions?.find((c) => c.type === 'Validated');
  return (
    validated?.status === 'False' &&
    validated.reason === 'ValidationJobFailed' &&
    validated.message.includes(`Job ${jobName} `)
  );
}
