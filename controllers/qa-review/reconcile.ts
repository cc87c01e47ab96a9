/**
 * The QAReview reconciler: status only (phase, bound revision, the candidate's render and its reference-photo
 * fidelity, times); the decision itself is acted on by the AssetSubmission controller.
 */

import { patchStatusIfChanged } from '../../lib/kube/status.ts';
import type { Context, ReconcileResult } from '../context.ts';
import { renderJobNameOf } from '../names.ts';
import { RESOURCES } from '../resources.ts';
import { readFidelity } from './fidelity.ts';
import { candidateRender, computeReviewStatus } from './status.ts';

/** Reconciles one QAReview from the cache. */
export async function reconcileReview(
  ctx: Context,
  namespace: string,
  name: string,
): Promise<ReconcileResult> {
  const review = ctx.cache.qaReview(namespace, name);
  if (!review || review.metadata.deletionTimestamp) return {};
  const submission = ctx.cache.submission(namespace, review.spec.submissionRef.name);
  const now = new Date(ctx.clock.now()).toISOString();
  const bound = review.status?.submission?.revision ?? submission?.spec.revision;
  const decidedElsewhere = ctx.cache
    .qaReviews(namespace)
    .find(
      (other) =>
        other.metadata.name !== name &&
        other.spec.submissionRef.name === review.spec.submissionRef.name &&
        (other.spec.decision ?? 'Pending') !== 'Pending' &&
        other.status?.submission?.revision === bound,
    )?.metadata.name;
  const boundName = review.status?.submission?.name ?? submission?.metadata.name;
  const renderJob =
    boundName !== undefined && bound !== undefined
      ? ctx.cache.renderJob(namespace, renderJobNameOf(boundName, bound))
      : undefined;
  const fidelityUri = (candidateRender(renderJob) ?? review.status?.render)?.fidelityUri;
  const fidelity = await readFidelity(ctx, review, fidelityUri, now);
  const status = computeReviewStatus({ review, submission, decidedElsewhere, renderJob, fidelity, now });
  const wrote =
    (await patchStatusIfChanged({ client: ctx.kube, ref: RESOURCES.qaReview, object: review, status })) !==
    undefined;
  if (wrote && review.status?.phase !== status.phase) {
    ctx.log.info(
      { kind: 'QAReview', namespace, name, phase: status.phase },
      `QAReview entered ${status.phase}`,
    );
    await ctx.events.record(
      review,
      status.phase === 'Rejected' || status.phase === 'Orphaned' ? 'Warning' : 'Normal',
      status.phase ?? 'Open',
      status.conditions?.[0]?.message ?? '',
    );
  }
  return {};
}
