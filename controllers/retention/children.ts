/**
 * Which children of a submission retention removes once a newer revision is live: the QAReviews and
 * RenderJobs the operator made for superseded revisions. Pure: the caller passes what the cache holds.
 *
 * Kept, always: the live revision's children, anything of a revision newer than the live one (in flight),
 * a RenderJob not yet Succeeded or Failed (it may still write), and any child the submission does not own as
 * controller (a QAReview committed by QA belongs to git). Kept, by configuration: the children of the
 * `revisionsKept` most recent superseded revisions.
 */
import { isOwnedBy, LABELS, qaReviewName, renderJobName } from '../names.ts';
import type { AssetSubmission, QAReview, RenderJob } from '../resources.ts';

/** A child to delete. */
export interface PrunedChild {
  kind: 'QAReview' | 'RenderJob';
  namespace: string;
  name: string;
  revision: number;
  /** The child's uid, sent as the delete's precondition so a recreated namesake is never deleted. */
  uid: string | undefined;
}

/** What {@link supersededChildren} decides from. */
export interface ChildrenRetentionInput {
  submission: AssetSubmission;
  /** The revision now live (Published) for this submission; nothing is pruned without one. */
  liveRevision: number | undefined;
  /** Looks a cached QAReview or RenderJob up by name in the submission's namespace. */
  qaReview: (name: string) => QAReview | undefined;
  renderJob: (name: string) => RenderJob | undefined;
  /** Superseded revisions whose children are kept, most recent first (≥ 0). */
  revisionsKept: number;
}

function revisionOf(child: { metadata: { labels?: Record<string, string> } }): number | undefined {
  const value = Number(child.metadata.labels?.[LABELS.revision]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * The QAReviews and RenderJobs of `submission` to delete, oldest revision first.
 *
 * Guarantees: never a child of `liveRevision` or a newer revision, never an unfinished RenderJob, never a
 * child without a controller reference to the submission, never a child of the `revisionsKept` revisions
 * just below the live one.
 */
export function supersededChildren(input: ChildrenRetentionInput): PrunedChild[] {
  const { submission, liveRevision } = input;
  if (liveRevision === undefined || liveRevision > submission.spec.revision) return [];
  const newestPruned = liveRevision - 1 - Math.max(0, input.revisionsKept);
  const out: PrunedChild[] = [];
  const { namespace } = submission.metadata;
  for (let revision = 1; revision <= newestPruned; revision++) {
    // The operator names a revision's children from the submission and the revision alone.
    const atRevision = { ...submission, spec: { ...submission.spec, revision } };
    const review = input.qaReview(qaReviewName(atRevision));
    if (review && isOwnedBy(review, submission) && revisionOf(review) === revision) {
      out.push({
        kind: 'QAReview',
        namespace,
        name: review.metadata.name,
        revision,
        uid: review.metadata.uid,
      });
    }
    const renderJob = input.renderJob(renderJobName(atRevision));
    const phase = renderJob?.status?.phase;
    if (
      renderJob &&
      isOwnedBy(renderJob, submission) &&
      revisionOf(renderJob) === revision &&
      (phase === 'Succeeded' || phase === 'Failed')
    ) {
      out.push({
        kind: 'RenderJob',
        namespace,
        name: renderJob.metadata.name,
        revision,
        uid: renderJob.metadata.uid,
      });
    }
  }
  return out;
}
