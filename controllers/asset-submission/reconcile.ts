/**
 * The AssetSubmission reconciler: observe → plan → apply → status, for one `namespace/name` key.
 */

import { writeStatusRetryingConflicts } from '../../lib/kube/status-retry.ts';
import { executeActions } from '../actions.ts';
import type { Context, ReconcileResult } from '../context.ts';
import { RESOURCES, type SubmissionPhase } from '../resources.ts';
import { pruneSupersededChildren } from '../retention/prune.ts';
import { observeSubmission } from './observe.ts';
import { assessSubmission } from './plan.ts';
import { computeSubmissionStatus } from './status.ts';

const WARNING_PHASES = new Set<SubmissionPhase>(['ValidationFailed', 'Rejected', 'Failed']);

/**
 * Reconciles one submission from the cache. A submission no longer in the cache needs nothing: its
 * children go with it through owner references, and its cleanup ran under the finalizer.
 */
export async function reconcileSubmission(
  ctx: Context,
  namespace: string,
  name: string,
): Promise<ReconcileResult> {
  const submission = ctx.cache.submission(namespace, name);
  if (!submission) return {};
  const observed = await observeSubmission(ctx, submission);
  const assessment = assessSubmission(observed, ctx.config);
  const outcome = await executeActions(
    ctx,
    { resource: RESOURCES.assetSubmission, object: submission },
    assessment.actions,
  );
  if (assessment.phase === 'Published') {
    await pruneSupersededChildren(ctx, submission, assessment.published?.version);
  }
  if (!assessment.writeStatus) return {};
  // The finalizer patch of this reconcile moved the resourceVersion; anyone else's change conflicts, and a
  // conflict of the same generation is written again onto a fresh read instead of requeueing the key.
  const written = {
    ...submission,
    metadata: { ...submission.metadata, resourceVersion: outcome.resourceVersion },
  };
  const statusWrite = await writeStatusRetryingConflicts({
    client: ctx.kube,
    ref: RESOURCES.assetSubmission,
    object: written,
    status: (current) => computeSubmissionStatus(current, assessment, observed.now),
  });
  const wrote = statusWrite.written !== undefined;
  const previous = statusWrite.basis.status?.phase;
  if (wrote && previous !== assessment.phase) {
    const log = { kind: 'AssetSubmission', namespace, name, phase: assessment.phase, from: previous ?? '' };
    ctx.log.info(log, `AssetSubmission entered ${assessment.phase}`);
    const created = Date.parse(submission.metadata.creationTimestamp ?? observed.now);
    ctx.metrics.phaseEntered(assessment.phase, Math.max(0, (ctx.clock.now() - created) / 1000));
    if (assessment.phase === 'Rejected') {
      ctx.metrics.rejected(assessment.rejection?.findings?.[0]?.area ?? 'none');
    }
    await ctx.events.record(
      submission,
      WARNING_PHASES.has(assessment.phase) ? 'Warning' : 'Normal',
      assessment.phase,
      assessment.message || assessment.phase,
    );
  }
  return assessment.requeueAfterMs === undefined ? {} : { requeueAfterMs: assessment.requeueAfterMs };
}
