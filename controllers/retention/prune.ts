/**
 * Applies {@link supersededChildren}: deletes what it names, tolerating what is already gone, and records
 * one Event per pass on the submission.
 */
import { isNotFound } from '../../lib/kube/errors.ts';
import type { Context } from '../context.ts';
import { EventReason } from '../reasons.ts';
import { type AssetSubmission, RESOURCES } from '../resources.ts';
import { type PrunedChild, supersededChildren } from './children.ts';

/** Default of `retention.supersededRevisionsKept`. */
export const DEFAULT_SUPERSEDED_REVISIONS_KEPT = 1;

/**
 * Deletes the QAReviews and RenderJobs of `submission`'s superseded revisions (see
 * {@link supersededChildren}) once `liveRevision` is Published. Returns what it deleted. Costs one cache
 * lookup per earlier revision and no request when there is nothing to delete.
 */
export async function pruneSupersededChildren(
  ctx: Context,
  submission: AssetSubmission,
  liveRevision: number | undefined,
): Promise<PrunedChild[]> {
  const { namespace } = submission.metadata;
  const children = supersededChildren({
    submission,
    liveRevision,
    qaReview: (name) => ctx.cache.qaReview(namespace, name),
    renderJob: (name) => ctx.cache.renderJob(namespace, name),
    revisionsKept: ctx.config.retention.supersededRevisionsKept ?? DEFAULT_SUPERSEDED_REVISIONS_KEPT,
  });
  const deleted: PrunedChild[] = [];
  for (const child of children) {
    const ref = child.kind === 'QAReview' ? RESOURCES.qaReview : RESOURCES.renderJob;
    try {
      await ctx.kube.delete(ref, child.namespace, child.name, {
        propagationPolicy: 'Background',
        uid: child.uid,
      });
      deleted.push(child);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  if (deleted.length > 0) {
    const names = deleted.map((child) => `${child.kind} ${child.name}`).join(', ');
    ctx.log.info(
      { kind: 'AssetSubmission', namespace, name: submission.metadata.name, pruned: names },
      'Pruned children of superseded revisions',
    );
    await ctx.events.record(
      submission,
      'Normal',
      EventReason.RetentionApplied,
      `Deleted the children of superseded revisions: ${names}`,
    );
  }
  return deleted;
}
