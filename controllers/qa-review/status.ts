/**
 * The pure status function of the QAReview controller: the phase from the decision, the revision the review
 * is bound to, and when it was opened and decided.
 */
import { setConditions } from '../../lib/kube/status.ts';
import { LABELS } from '../names.ts';
import { ReviewReason } from '../reasons.ts';
import type { AssetSubmission, QAReview } from '../resources.ts';

/** What the QAReview controller sees. */
export interface ReviewObserved {
  review: QAReview;
  /** The submission `spec.submissionRef` names, from the cache. */
  submission: AssetSubmission | undefined;
  /** Another review of the same submission revision already carries a decision (one QA committed). */
  decidedElsewhere?: string;
  now: string;
}

/**
 * The review's status. A review is bound to the submission revision current when it is first seen (or, for
 * one the operator opened, the revision in its label) and stays bound; an undecided review whose
 * submission is gone or has moved to another revision is Orphaned.
 */
export function computeReviewStatus(observed: ReviewObserved): NonNullable<QAReview['status']> {
  const { review, submission, now } = observed;
  const previous = review.status ?? {};
  const generation = review.metadata.generation ?? 0;
  const label = review.metadata.labels?.[LABELS.revision];
  const bound =
    previous.submission ??
    (submission
      ? {
          name: submission.metadata.name,
          asin: submission.spec.asin,
          revision:
            label !== undefined && /^[1-9][0-9]*$/.test(label) ? Number(label) : submission.spec.revision,
        }
      : undefined);
  const decision = review.spec.decision ?? 'Pending';
  let phase: NonNullable<QAReview['status']>['phase'];
  let reason: string;
  let message: string;
  if (decision === 'Approved') {
    phase = 'Approved';
    reason = ReviewReason.Approved;
    message = `Approved by ${review.spec.reviewer ?? 'QA'}`;
  } else if (decision === 'Rejected') {
    phase = 'Rejected';
    reason = ReviewReason.Rejected;
    message = review.spec.comments ?? 'Rejected';
  } else if (observed.decidedElsewhere) {
    phase = 'Orphaned';
    reason = ReviewReason.DecidedElsewhere;
    message = `QAReview ${observed.decidedElsewhere} already decided this revision`;
  } else if (!submission) {
    phase = 'Orphaned';
    reason = ReviewReason.SubmissionMissing;
    message = `AssetSubmission ${review.spec.submissionRef.name} does not exist`;
  } else if (bound && bound.revision !== submission.spec.revision) {
    phase = 'Orphaned';
    reason = ReviewReason.RevisionMoved;
    message = `The submission moved on to revision ${submission.spec.revision}; this review was for revision ${bound.revision}`;
  } else {
    phase = 'Open';
    reason = ReviewReason.AwaitingDecision;
    message = 'Waiting for a QA decision';
  }
  const status: NonNullable<QAReview['status']> = {
    observedGeneration: generation,
    phase,
    conditions: setConditions(
      previous.conditions,
      [{ type: 'Decided', status: decision === 'Pending' ? 'False' : 'True', reason, message }],
      generation,
      now,
    ),
  };
  if (bound) status.submission = bound;
  status.openedAt = previous.openedAt ?? review.metadata.creationTimestamp ?? now;
  const decidedAt = previous.decidedAt ?? (decision === 'Pending' ? undefined : now);
  if (decidedAt) status.decidedAt = decidedAt;
  return status;
}
