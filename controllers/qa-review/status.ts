/**
 * The pure status function of the QAReview controller: the phase from the decision, the revision the review
 * is bound to, the candidate's turntable under review, and when it was opened and decided.
 */
import type { ReferenceFidelity } from '../../crds/api.ts';
import { setConditions, withFailedCondition } from '../../lib/kube/status.ts';
import { sentence } from '../asset-submission/status-text.ts';
import { LABELS } from '../names.ts';
import { ReviewReason } from '../reasons.ts';
import type { AssetSubmission, QAReview, RenderJob } from '../resources.ts';

/** What the QAReview controller sees. */
export interface ReviewObserved {
  review: QAReview;
  /** The submission `spec.submissionRef` names, from the cache. */
  submission: AssetSubmission | undefined;
  /** Another review of the same submission revision already carries a decision (one QA committed). */
  decidedElsewhere?: string;
  /** The submission's RenderJob of the bound revision (its candidate turntable), from the cache. */
  renderJob?: RenderJob;
  /** The candidate's reference-photo fidelity, when just read from its `fidelity.json`. */
  fidelity?: ReferenceFidelity;
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
  const orphan = orphanedBecause(observed, bound);
  let phase: NonNullable<QAReview['status']>['phase'];
  let reason: string;
  let message: string;
  // A decision first seen on a review that is already orphaned decides nothing: the submission controller
  // never reads it, and the review says so instead of looking Approved.
  const ignored = decision !== 'Pending' && previous.decidedAt === undefined && orphan !== undefined;
  if (ignored) {
    phase = 'Orphaned';
    reason = ReviewReason.DecisionIgnored;
    message =
      `The ${decision} decision is ignored: ${orphan.message} ` +
      `Decide the review of the submission's current revision instead (shazam qa list).`;
  } else if (decision === 'Approved') {
    phase = 'Approved';
    reason = ReviewReason.Approved;
    message = `Approved by ${review.spec.reviewer ?? 'QA'}.`;
  } else if (decision === 'Rejected') {
    phase = 'Rejected';
    reason = ReviewReason.Rejected;
    message = review.spec.comments
      ? sentence(`Rejected by ${review.spec.reviewer ?? 'QA'}: ${review.spec.comments}`)
      : `Rejected by ${review.spec.reviewer ?? 'QA'}.`;
  } else if (orphan) {
    phase = 'Orphaned';
    ({ reason, message } = orphan);
  } else {
    phase = 'Open';
    reason = ReviewReason.AwaitingDecision;
    message =
      'Waiting for a QA decision: set spec.decision to Approved or Rejected (shazam qa approve/reject).';
  }
  const status: NonNullable<QAReview['status']> = {
    observedGeneration: generation,
    phase,
    conditions: setConditions(
      previous.conditions,
      withFailedCondition(
        [{ type: 'Decided', status: decision === 'Pending' || ignored ? 'False' : 'True', reason, message }],
        // An orphaned review can never be decided: its terminal failure.
        phase === 'Orphaned' ? { reason, message } : undefined,
      ),
      generation,
      now,
    ),
  };
  if (bound) status.submission = bound;
  const render = candidateRender(observed.renderJob) ?? previous.render;
  if (render) status.render = render;
  const fidelity = observed.fidelity ?? previous.fidelity;
  if (fidelity) status.fidelity = fidelity;
  status.openedAt = previous.openedAt ?? review.metadata.creationTimestamp ?? now;
  const decidedAt = previous.decidedAt ?? (decision === 'Pending' || ignored ? undefined : now);
  if (decidedAt) status.decidedAt = decidedAt;
  return status;
}

/** Why an undecided review can no longer decide anything, or undefined while it still can. */
function orphanedBecause(
  observed: ReviewObserved,
  bound: { revision?: number } | undefined,
): { reason: string; message: string } | undefined {
  const { review, submission } = observed;
  if (observed.decidedElsewhere) {
    return {
      reason: ReviewReason.DecidedElsewhere,
      message: `QAReview ${observed.decidedElsewhere} already decided this revision.`,
    };
  }
  if (!submission) {
    return {
      reason: ReviewReason.SubmissionMissing,
      message: `AssetSubmission ${review.spec.submissionRef.name} does not exist.`,
    };
  }
  if (bound?.revision !== undefined && bound.revision !== submission.spec.revision) {
    return {
      reason: ReviewReason.RevisionMoved,
      message: `The submission moved on to revision ${submission.spec.revision}; this review was for revision ${bound.revision}.`,
    };
  }
  return undefined;
}

/**
 * Where the candidate's turntable is, once its RenderJob succeeded: the evidence QA reviews and approval
 * publishes. Undefined while it renders or when it failed.
 */
export function candidateRender(
  renderJob: RenderJob | undefined,
): NonNullable<QAReview['status']>['render'] | undefined {
  if (renderJob?.status?.phase !== 'Succeeded' || !renderJob.status.outputs) return undefined;
  const outputs = renderJob.status.outputs;
  const render: NonNullable<NonNullable<QAReview['status']>['render']> = {
    renderJob: renderJob.metadata.name,
    framesRendered: renderJob.status.framesRendered ?? 0,
    format: renderJob.spec.formats?.[0] ?? 'webp',
  };
  if (outputs.posterUri) render.posterUri = outputs.posterUri;
  if (outputs.framesPrefix) render.framesPrefix = outputs.framesPrefix;
  if (outputs.manifestUri) render.manifestUri = outputs.manifestUri;
  if (outputs.fidelityUri) render.fidelityUri = outputs.fidelityUri;
  // QA reads the fill check here: reviewers may read reviews, not RenderJobs.
  if (renderJob.status.fillCheck) render.fillCheck = renderJob.status.fillCheck;
  const fill = renderJob.status.conditions?.find((c) => c.type === 'FillCompliant');
  if (fill?.message) render.fillMessage = fill.message;
  if (renderJob.status.profiles) render.profiles = renderJob.status.profiles;
  return render;
}
