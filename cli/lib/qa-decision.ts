import type { QAFinding } from '../../crds/api.ts';
import { CLI_ERROR_CODES, CliError } from './errors.ts';
import { type KubeRestClient, statusMessage } from './kube-rest.ts';
import { type AssetSubmission, getResource, type QAReview, resourcePath } from './resources.ts';

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
    throw new CliError(CLI_ERROR_CODES.decisionInvalid, 'a decision needs the reviewer; pass --reviewer');
  }
  if (decision.decision === 'Rejected' && !decision.comments?.trim()) {
    throw new CliError(
      CLI_ERROR_CODES.decisionInvalid,
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
 * Finds the QAReview named `name`, or, when there is none, the review of the AssetSubmission named
 * `name` (its `status.children.qaReview`), so `shazam qa approve chair` works with either name.
 */
export async function resolveReview(
  client: KubeRestClient,
  namespace: string,
  name: string,
): Promise<QAReview> {
  try {
    return await getResource<QAReview>(client, 'QAReview', namespace, name);
  } catch (error) {
    if (!(error instanceof CliError) || error.code !== CLI_ERROR_CODES.notFound) throw error;
  }
  let submission: AssetSubmission;
  try {
    submission = await getResource<AssetSubmission>(client, 'AssetSubmission', namespace, name);
  } catch (error) {
    if (error instanceof CliError && error.code === CLI_ERROR_CODES.notFound) {
      throw new CliError(
        CLI_ERROR_CODES.notFound,
        `no QAReview or AssetSubmission named ${name} in namespace ${namespace}; list reviews with \`shazam qa list\``,
      );
    }
    throw error;
  }
  const reviewName = submission.status?.children?.qaReview;
  if (!reviewName) {
    throw new CliError(
      CLI_ERROR_CODES.notFound,
      `AssetSubmission ${namespace}/${name} has no QAReview yet (phase ${submission.status?.phase ?? 'Pending'}); it opens once validation passes`,
    );
  }
  return getResource<QAReview>(client, 'QAReview', namespace, reviewName);
}

/**
 * Records a decision on a QAReview with the caller's own credentials: RBAC decides whether this person
 * may decide, and the schema's CEL rules keep a decision final.
 *
 * Guarantees: a review already decided is refused with `alreadyDecided` before anything is sent; the
 * patch carries the resourceVersion read, so a decision made by someone else in between fails with a
 * conflict instead of being overwritten.
 */
export async function decideReview(
  client: KubeRestClient,
  namespace: string,
  name: string,
  decision: QADecision,
): Promise<QAReview> {
  checkDecision(decision);
  const review = await resolveReview(client, namespace, name);
  const current = review.spec.decision ?? 'Pending';
  if (current !== 'Pending') {
    throw new CliError(
      CLI_ERROR_CODES.alreadyDecided,
      `QAReview ${namespace}/${review.metadata.name} was already ${current} by ${review.spec.reviewer ?? 'someone'}; decisions are final`,
    );
  }
  const patch = {
    metadata: { resourceVersion: review.metadata.resourceVersion },
    ...decisionPatch(decision),
  };
  const response = await client.send({
    method: 'PATCH',
    path: resourcePath('QAReview', namespace, review.metadata.name),
    body: patch,
    contentType: 'application/merge-patch+json',
  });
  if (response.status === 200) return response.body as QAReview;
  if (response.status === 403) {
    throw new CliError(
      CLI_ERROR_CODES.forbidden,
      `you may not decide QA reviews in namespace ${namespace} (${statusMessage(response)}); ask for the QA reviewer role`,
    );
  }
  const why =
    response.status === 409
      ? `someone changed QAReview ${review.metadata.name} meanwhile; run the command again to see its decision`
      : statusMessage(response);
  throw new CliError(CLI_ERROR_CODES.apiRefused, why);
}

/** The user name the apiserver sees for `client`'s credentials (SelfSubjectReview), when it tells. */
export async function whoAmI(client: KubeRestClient): Promise<string | undefined> {
  const response = await client.send({
    method: 'POST',
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  if (response.status !== 201 && response.status !== 200) return undefined;
  return (response.body as { status?: { userInfo?: { username?: string } } }).status?.userInfo?.username;
}
