/**
 * Gathers {@link SubmissionObserved} for one key: the submission and its children from the caches, and S3
 * only for the step at hand (so a converged submission costs no S3 request on resync).
 */
import { parseValidationResult } from '../../lib/contracts/validation-result.ts';
import { publishedKey, validationResultKey, versionKeys } from '../../lib/storage/layout.ts';
import { parseS3Uri } from '../../lib/storage/s3-uri.ts';
import type { Context } from '../context.ts';
import { readPodFailure } from '../job-pods.ts';
import { LABELS, qaReviewName, renderJobName, SUBMISSION_FINALIZER, validationJobName } from '../names.ts';
import { parsePublishedPointer } from '../published-pointer.ts';
import { ControllerError } from '../reasons.ts';
import { type AssetSubmission, jobState, type QAReview, type RenderJob } from '../resources.ts';
import { listStoredVersions, readJson } from '../storage.ts';
import {
  jobFailureRecorded,
  promotionRecorded,
  type ResultObservation,
  type StorageObservation,
  type SubmissionObserved,
  validationRecorded,
} from './observed.ts';
import { asinOwnership } from './ownership.ts';

/** The revision of the version folder an S3 URI points into, for `asin` in `bucket`. */
function revisionOfUri(uri: string, bucket: string, asin: string): number | undefined {
  try {
    const { bucket: b, key } = parseS3Uri(uri);
    if (b !== bucket) return undefined;
    const match = new RegExp(`^assets/${asin}/versions/([1-9][0-9]*)/`).exec(key);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Picks the QAReview that decides `submission`'s current revision among those in its namespace: a decided
 * one QA committed (adopted) first, then the operator's own. Returns also how many reviews naming the
 * submission are not yet bound to a revision.
 */
function selectReview(
  submission: AssetSubmission,
  reviews: readonly QAReview[],
): { review: QAReview | undefined; unbound: number } {
  const revision = submission.spec.revision;
  const ownName = qaReviewName(submission);
  let unbound = 0;
  const candidates: QAReview[] = [];
  for (const review of reviews) {
    // An orphaned review decides nothing, whatever its spec says.
    if (review.spec.submissionRef.name !== submission.metadata.name || review.status?.phase === 'Orphaned')
      continue;
    const labelled = review.metadata.labels?.[LABELS.revision];
    const bound =
      review.status?.submission?.revision ?? (labelled !== undefined ? Number(labelled) : undefined);
    if (review.metadata.name === ownName && labelled === String(revision)) candidates.push(review);
    else if (bound === undefined) unbound++;
    else if (bound === revision) candidates.push(review);
  }
  const decided = candidates
    .filter((review) => (review.spec.decision ?? 'Pending') !== 'Pending')
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
  const own = candidates.find((review) => review.metadata.name === ownName);
  return { review: decided[0] ?? own ?? candidates[0], unbound };
}

function unfinished(renderJob: RenderJob): boolean {
  const phase = renderJob.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

async function readResult(ctx: Context, submission: AssetSubmission): Promise<ResultObservation> {
  const { asin, revision, delivery } = submission.spec;
  const key = validationResultKey(asin, revision, delivery.sha256);
  const bucket = ctx.config.s3.assetsBucket;
  let value: unknown;
  try {
    value = await readJson(ctx.s3, bucket, key);
  } catch (error) {
    if (error instanceof ControllerError && error.code === 'CONTROLLER_INVALID_OBJECT') {
      return { state: 'invalid', message: error.message };
    }
    throw error;
  }
  if (value === undefined) return { state: 'missing' };
  try {
    const result = parseValidationResult(value);
    if (result.asin !== asin || result.revision !== revision || result.sha256 !== delivery.sha256) {
      return {
        state: 'invalid',
        message: `s3://${bucket}/${key} describes ${result.asin} r${result.revision} (${result.sha256.slice(0, 16)}), not this delivery`,
      };
    }
    return { state: 'found', result };
  } catch (error) {
    return { state: 'invalid', message: (error as Error).message };
  }
}

async function readStorage(ctx: Context, submission: AssetSubmission): Promise<StorageObservation> {
  const { asin, revision } = submission.spec;
  const bucket = ctx.config.s3.assetsBucket;
  const [marker, pointerValue, stored] = await Promise.all([
    readJson(ctx.s3, bucket, versionKeys(asin, revision).complete),
    readJson(ctx.s3, bucket, publishedKey(asin)),
    listStoredVersions(ctx.s3, bucket, asin),
  ]);
  const arModel = (marker as { version?: { arModel?: unknown } } | undefined)?.version?.arModel;
  return {
    complete: marker !== undefined,
    ...(typeof arModel === 'string' ? { arModel } : {}),
    pointer: pointerValue === undefined ? undefined : parsePublishedPointer(pointerValue),
    stored,
  };
}

/**
 * Observes `submission` (taken from the cache). S3 is read for the validation result only while no verdict
 * is recorded and no validation Job is running, and for promotion facts only while an approved revision is
 * not yet recorded as promoted, or while the submission is being deleted.
 */
export async function observeSubmission(
  ctx: Context,
  submission: AssetSubmission,
): Promise<SubmissionObserved> {
  const { namespace } = submission.metadata;
  const { asin, revision } = submission.spec;
  const bucket = ctx.config.s3.assetsBucket;
  const deleting = submission.metadata.deletionTimestamp !== undefined;
  const validationJob = ctx.cache.job(namespace, validationJobName(submission));
  const { review, unbound } = selectReview(
    submission,
    ctx.cache.reviewsOf(namespace, submission.metadata.name),
  );
  const renderJob = ctx.cache.renderJob(namespace, renderJobName(submission));

  const peers = ctx.cache.submissionsWithAsin(asin);
  const ownership = asinOwnership(submission, peers);
  const sameRevisionPeer = peers.some(
    (peer) =>
      peer.metadata.uid !== submission.metadata.uid &&
      peer.metadata.deletionTimestamp === undefined &&
      peer.spec.revision === revision,
  );
  let newerPublished: SubmissionObserved['newerPublished'];
  for (const peer of peers) {
    if (peer.metadata.uid === submission.metadata.uid) continue;
    const version = peer.status?.phase === 'Published' ? peer.status.published?.version : undefined;
    if (version !== undefined && version > revision && version > (newerPublished?.version ?? 0)) {
      newerPublished = { namespace: peer.metadata.namespace, name: peer.metadata.name, version };
    }
  }
  const inUse = new Set<number>();
  for (const candidate of ctx.cache.unfinishedRenderJobs()) {
    if (!unfinished(candidate)) continue;
    for (const uri of [candidate.spec.source.uri, candidate.spec.output.uri]) {
      const used = revisionOfUri(uri, bucket, asin);
      if (used !== undefined) inUse.add(used);
    }
  }

  // Why the validation Job failed, read from its pods once; the status keeps it afterwards.
  let validationFailure: SubmissionObserved['validationFailure'];
  if (
    !deleting &&
    validationJob !== undefined &&
    jobState(validationJob).state === 'Failed' &&
    !jobFailureRecorded(submission, validationJob.metadata.name)
  ) {
    validationFailure = await readPodFailure(ctx, validationJob);
  }

  let result: ResultObservation = { state: 'unread' };
  const jobRunning = validationJob !== undefined && jobState(validationJob).state === 'Running';
  const refused = ownership.state === 'refused';
  if (!deleting && !refused && !validationRecorded(submission) && !jobRunning) {
    result = await readResult(ctx, submission);
  }

  const verdictPassed =
    (validationRecorded(submission) && submission.status?.validation?.verdict === 'Passed') ||
    (result.state === 'found' && result.result.verdict === 'Passed');
  const approved = review?.spec.decision === 'Approved';
  const needStorage =
    (deleting && submission.metadata.finalizers?.includes(SUBMISSION_FINALIZER)) ||
    (!deleting && !refused && verdictPassed && approved && !promotionRecorded(submission));
  const storage = needStorage ? await readStorage(ctx, submission) : undefined;

  return {
    submission,
    now: new Date(ctx.clock.now()).toISOString(),
    validationJob,
    validationFailure,
    result,
    ownership,
    sameRevisionPeer,
    review,
    unboundReviews: unbound,
    renderJob,
    newerPublished,
    inUse: [...inUse].sort((a, b) => a - b),
    storage,
  };
}
