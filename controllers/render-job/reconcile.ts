/**
 * The RenderJob reconciler: observe (cache + the manifest once the Job succeeded) → plan → apply → status.
 */

import { parseRenderManifest, RenderManifestError } from '../../lib/contracts/render-manifest.ts';
import { findCondition, patchStatusIfChanged, withFailedStatus } from '../../lib/kube/status.ts';
import { parseS3Uri } from '../../lib/storage/s3-uri.ts';
import { executeActions } from '../actions.ts';
import type { Context, ReconcileResult } from '../context.ts';
import { jobPodsSayingWhy, podFailure, podPlacement } from '../job-pods.ts';
import { renderJobJobName } from '../names.ts';
import { ControllerError } from '../reasons.ts';
import { jobState, RESOURCES, type RenderJob, type RenderJobStatus } from '../resources.ts';
import { readJson } from '../storage.ts';
import { summarizeManifest } from './manifest.ts';
import {
  assessRenderJob,
  type ManifestObservation,
  manifestUri,
  type PodsObservation,
  renderSettled,
} from './plan.ts';

/**
 * The status written for a RenderJob: the planned one with `Failed` beside `Complete`, so
 * `kubectl wait --for=condition=Failed` returns on a failed render as `--for=condition=Complete` does on success.
 */
export function renderJobStatus(
  renderJob: RenderJob,
  planned: RenderJobStatus,
  now: string,
): RenderJobStatus {
  const failure = planned.phase === 'Failed' ? findCondition(planned.conditions, 'Complete') : undefined;
  return withFailedStatus(planned, renderJob.status?.conditions, failure, now);
}

/** Reconciles one RenderJob from the cache. */
export async function reconcileRenderJob(
  ctx: Context,
  namespace: string,
  name: string,
): Promise<ReconcileResult> {
  const renderJob = ctx.cache.renderJob(namespace, name);
  if (!renderJob || renderJob.metadata.deletionTimestamp) return {};
  const job = ctx.cache.job(namespace, renderJobJobName(renderJob));
  let manifest: ManifestObservation = { state: 'unread' };
  if (job && !renderSettled(renderJob) && jobState(job).state === 'Succeeded') {
    const uri = manifestUri(renderJob);
    const { bucket, key } = parseS3Uri(uri);
    try {
      const value = await readJson(ctx.s3, bucket, key);
      manifest =
        value === undefined
          ? { state: 'missing' }
          : { state: 'found', summary: summarizeManifest(parseRenderManifest(value, uri)) };
    } catch (error) {
      const invalid =
        error instanceof RenderManifestError ||
        (error instanceof ControllerError && error.code === 'CONTROLLER_INVALID_OBJECT');
      if (!invalid) throw error;
      manifest = { state: 'invalid', message: error.message };
    }
  }
  // Where the pod runs or why no node takes it, and why it failed: only the pods say. They come from the
  // pod cache, so a render waiting for a node is re-checked without a request.
  let pods: PodsObservation | undefined;
  const state = job ? jobState(job).state : undefined;
  if (job && !renderSettled(renderJob) && state !== 'Succeeded') {
    const items = await jobPodsSayingWhy(ctx, job, state === 'Failed');
    pods = { placement: podPlacement(items), failure: podFailure(items) };
  }
  const now = new Date(ctx.clock.now()).toISOString();
  const assessment = assessRenderJob(
    { renderJob, job, manifest, now, ...(pods ? { pods } : {}) },
    ctx.config,
  );
  await executeActions(ctx, { resource: RESOURCES.renderJob, object: renderJob }, assessment.actions);
  const wrote =
    (await patchStatusIfChanged({
      client: ctx.kube,
      ref: RESOURCES.renderJob,
      object: renderJob,
      status: renderJobStatus(renderJob, assessment.status, now),
    })) !== undefined;
  const phase = assessment.status.phase;
  if (wrote && renderJob.status?.phase !== phase) {
    ctx.log.info({ kind: 'RenderJob', namespace, name, phase }, `RenderJob entered ${phase}`);
    if (assessment.failure) ctx.metrics.renderFailed(assessment.failure);
    await ctx.events.record(
      renderJob,
      phase === 'Failed' ? 'Warning' : 'Normal',
      phase ?? 'Pending',
      assessment.status.message ?? '',
    );
  }
  return assessment.requeueAfterMs === undefined ? {} : { requeueAfterMs: assessment.requeueAfterMs };
}
