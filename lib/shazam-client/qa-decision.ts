import type { AssetSubmission, QAFinding, QAReview } from '../../crds/api.ts';
import type { KubeClient } from '../kube/client.ts';
import { isConflict, KubeError } from '../kube/errors.ts';
import { CLIENT_ERROR_CODES, ClientError } from './errors.ts';
import { findResource, getResource, RESOURCES } from './resources.ts';

/** A reviewer's decision on one QAReview. */
export interface QADecision {
  decision: 'Approved' | 'Rejected';
  reviewer: string;
  comments?: string;
  findings?: QAFinding[];
}

/**
 * Checks a decision before it is sent, with the same rules the QAReview schema enforces, so the user
 * gets the fix in their own words rather than the apiserver's CEL message.
 */
export function checkDecision(decision: QADecision): void {
  if (decision.reviewer.trim() === '') {
    throw new ClientError(
      CLIENT_ERROR_CODES.decisionInvalid,
      'a decision needs the reviewer; pass --reviewer',
    );
  }
  if (decision.decision === 'Rejected' && !decision.comments?.trim()) {
    throw new ClientError(
      CLIENT_ERROR_CODES.decisionInvalid,
      'a rejection needs comments that tell the artist what to fix; pass --comments "…"',
    );
  }
}

/**
 * The merge patch that records `decision` on a QAReview's spec. Only the fields QA owns are sent, so
 * nothing the operator or git wrote is overwritten.
 */
export function decisionPatch(decision: QADecision): { spec: Record<string, unknown> } {
  return {
    spec: {
      decision: decision.decision,
      reviewer: decision.reviewer,
      ...(decision.comments?.trim() ? { comments: decision.comments } : {}),
      ...(decision.findings && decision.findings.length > 0 ? { findings: decision.findings } : {}),
    },
  };
}

/**
 * Why a decision on `review` would do nothing, or undefined when it would count. A review is orphaned
 * when the operator says so (`status.phase` Orphaned), when its submission is gone, or when the
 * submission has moved on to another revision than the one the review is bound to.
 */
export function orphanReason(review: QAReview, submission: AssetSubmission | undefined): string | undefined {
  const name = review.metadata.name;
  const submissionName = review.spec.submissionRef.name;
  if (!submission) return `its AssetSubmission ${submissionName} does not exist`;
  const bound = review.status?.submission?.revision;
  if (bound !== undefined && bound !== submission.spec.revision) {
    return `it is for revision ${bound} but AssetSubmission ${submissionName} has moved on to revision ${submission.spec.revision}`;
  }
  if (review.status?.phase === 'Orphaned') {
    const why = review.status.conditions?.find((c) => c.type === 'Decided')?.message;
    return why ? `the operator marked it Orphaned: ${why}` : `the operator marked ${name} Orphaned`;
  }
  return undefined;
}

/**
 * Finds the QAReview named `name`, or, when there is none, the review of the AssetSubmission named
 * `name` (its `status.children.qaReview`), so `shazam qa approve chair` works with either name.
 */
export async function resolveReview(client: KubeClient, namespace: string, name: string): Promise<QAReview> {
  const review = await findResource(client, 'QAReview', namespace, name);
  if (review) return review;
  const submission = await findResource(client, 'AssetSubmission', namespace, name);
  if (!submission) {
    throw new ClientError(
      CLIENT_ERROR_CODES.notFound,
      `no QAReview or AssetSubmission named ${name} in namespace ${namespace}; list reviews with \`shazam qa list\``,
    );
  }
  const reviewName = submission.status?.children?.qaReview;
  if (!reviewName) {
    throw new ClientError(
      CLIENT_ERROR_CODES.notFound,
      `AssetSubmission ${namespace}/${name} has no QAReview yet (phase ${submission.status?.phase ?? 'Pending'}); it opens once validation passes`,
    );
  }
  return getResource(client, 'QAReview', namespace, reviewName);
}

/**
 * Records a decision on a QAReview with the caller's own credentials: RBAC decides whether this person
 * may decide, and the schema's CEL rules keep a decision final.
 *
 * Guarantees: a review already decided is refused with `alreadyDecided`, and an orphaned one (see
 * {@link orphanReason}) with `reviewOrphaned`, before anything is sent; the patch carries the
 * resourceVersion read, so a decision made by someone else in between fails with a conflict instead of
 * being overwritten.
 */
export async function decideReview(
  client: KubeClient,
  namespace: string,
  name: string,
  decision: QADecision,
): Promise<QAReview> {
  checkDecision(decision);
  const review = await resolveReview(client, namespace, name);
  const reviewName = review.metadata.name;
  const current = review.spec.decision ?? 'Pending';
  if (current !== 'Pending') {
    throw new ClientError(
      CLIENT_ERROR_CODES.alreadyDecided,
      `QAReview ${namespace}/${reviewName} was already ${current} by ${review.spec.reviewer ?? 'someone'}; decisions are final`,
    );
  }
  const submission = await findResource(client, 'AssetSubmission', namespace, review.spec.submissionRef.name);
  const orphaned = orphanReason(review, submission);
  if (orphaned !== undefined) {
    throw new ClientError(
      CLIENT_ERROR_CODES.reviewOrphaned,
      `QAReview ${namespace}/${reviewName} is orphaned (${orphaned}); a decision on it would change nothing. Decide the submission's current review (\`shazam qa list\`)`,
    );
  }
  const patch = {
    metadata: { resourceVersion: review.metadata.resourceVersion },
    ...decisionPatch(decision),
  };
  try {
    return await client.patch<QAReview>(RESOURCES.QAReview, namespace, reviewName, patch, 'merge');
  } catch (error) {
    if (!(error instanceof KubeError) || error.statusCode === undefined) throw error;
    if (error.statusCode === 403) {
      throw new ClientError(
        CLIENT_ERROR_CODES.forbidden,
        `you may not decide QA reviews in namespace ${namespace} (${error.message}); ask for the QA reviewer role`,
      );
    }
    const why = isConflict(error)
      ? `someone changed QAReview ${reviewName} meanwhile; run the command again to see its decision`
      : error.message;
    throw new ClientError(CLIENT_ERROR_CODES.apiRefused, why);
  }
}
