/**
 * The pure part of the RenderJob controller: from the RenderJob, its Job and the renderer's manifest to
 * the actions (create the render Job) and the status.
 */

import { FIDELITY_FILE } from '../../lib/contracts/fidelity-report.ts';
import { type DesiredCondition, setConditions } from '../../lib/kube/status.ts';
import type { Action } from '../actions.ts';
import type { ControllerConfig } from '../context.ts';
import type { PodFailure, PodPlacement } from '../job-pods.ts';
import { buildRenderJobJob } from '../jobs.ts';
import { renderJobJobName } from '../names.ts';
import { RenderReason } from '../reasons.ts';
import { type Job, jobState, RESOURCES, type RenderJob, type RenderJobStatus } from '../resources.ts';
import { fillCondition } from './fill.ts';
import type { RenderSummary } from './manifest.ts';
import { renderProfiles } from './profiles.ts';

/** The renderer's manifest as read from S3. */
export type ManifestObservation =
  | { state: 'unread' }
  | { state: 'missing' }
  | { state: 'found'; summary: RenderSummary }
  | { state: 'invalid'; message: string };

/** What the Job's pods say, read while the Job runs or once it failed. */
export interface PodsObservation {
  placement: PodPlacement;
  failure: PodFailure | undefined;
}

/** What the RenderJob controller sees. */
export interface RenderObserved {
  renderJob: RenderJob;
  job: Job | undefined;
  manifest: ManifestObservation;
  /** Absent when the pods were not read. */
  pods?: PodsObservation;
  now: string;
}

/** The plan and the status it leads to. */
export interface RenderAssessment {
  actions: Action[];
  status: RenderJobStatus;
  /** A reason for the render-failure metric when the render failed in this assessment. */
  failure: string | undefined;
  /** Look again after this long: a pod waiting for a node changes nothing the operator watches. */
  requeueAfterMs?: number;
}

/** How often a render pod that no node has taken yet is looked at again. */
export const UNSCHEDULED_RECHECK_MS = 10_000;

/** The Scheduled condition a pod placement gives, if it says one. */
function scheduledCondition(placement: PodPlacement | undefined): DesiredCondition | undefined {
  if (placement?.state === 'scheduled') {
    return {
      type: 'Scheduled',
      status: 'True',
      reason: RenderReason.Scheduled,
      message: `Pod ${placement.pod} runs on node ${placement.node}`,
    };
  }
  if (placement?.state === 'unschedulable') {
    return { type: 'Scheduled', status: 'False', reason: placement.reason, message: placement.message };
  }
  return undefined;
}

/** True when the status already records the outcome of the current generation. */
export function renderSettled(renderJob: RenderJob): boolean {
  const status = renderJob.status;
  if (!status) return false;
  return (
    status.observedGeneration === renderJob.metadata.generation &&
    (status.phase === 'Succeeded' || status.phase === 'Failed') &&
    status.jobName === renderJobJobName(renderJob)
  );
}

/** The RenderJob's output prefix, ending with `/`. */
export function outputBase(renderJob: RenderJob): string {
  const uri = renderJob.spec.output.uri;
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** The `s3://` URI of the renderer's manifest, written last. */
export function manifestUri(renderJob: RenderJob): string {
  return `${outputBase(renderJob)}manifest.json`;
}

/**
 * Plans one RenderJob: create its Job if missing (unless the outcome is already recorded, the Job having
 * expired by TTL), then report Running, Succeeded (from the manifest) or Failed.
 */
export function assessRenderJob(observed: RenderObserved, config: ControllerConfig): RenderAssessment {
  const { renderJob, job, manifest, now } = observed;
  const generation = renderJob.metadata.generation ?? 0;
  const previous = renderJob.status ?? {};
  const jobName = renderJobJobName(renderJob);
  const actions: Action[] = [];
  const build = (
    phase: NonNullable<RenderJobStatus['phase']>,
    condition: DesiredCondition,
    extra: Partial<RenderJobStatus> = {},
    others: DesiredCondition[] = [],
  ): RenderJobStatus => ({
    observedGeneration: generation,
    phase,
    message: condition.message,
    conditions: setConditions(previous.conditions, [condition, ...others], generation, now),
    jobName,
    ...extra,
  });

  if (renderSettled(renderJob)) {
    // Judged again on every pass: a render that succeeded before the profiles existed gets them, and a
    // changed limit shows on the renders it judges.
    const status =
      previous.phase === 'Succeeded'
        ? { ...previous, profiles: renderProfiles({ spec: renderJob.spec, status: previous }) }
        : previous;
    return { actions, status, failure: undefined };
  }
  if (!job) {
    actions.push({ type: 'create', resource: RESOURCES.job, object: buildRenderJobJob(renderJob, config) });
    const status = build('Pending', {
      type: 'Complete',
      status: 'Unknown',
      reason: RenderReason.JobCreated,
      message: `Created Job ${jobName}`,
    });
    return { actions, status, failure: undefined };
  }
  const state = jobState(job);
  const placement = observed.pods?.placement;
  const scheduled = scheduledCondition(placement);
  const placed = scheduled ? [scheduled] : [];
  if (state.state === 'Running' && placement?.state === 'unschedulable') {
    const status = build(
      'Pending',
      {
        type: 'Complete',
        status: 'Unknown',
        reason: RenderReason.WaitingForNode,
        message: `Job ${jobName} waits for a node: ${placement.message}`,
      },
      {},
      placed,
    );
    return { actions, status, failure: undefined, requeueAfterMs: UNSCHEDULED_RECHECK_MS };
  }
  if (state.state === 'Running') {
    const status = build(
      'Running',
      {
        type: 'Complete',
        status: 'Unknown',
        reason: RenderReason.Running,
        message: `Rendering in Job ${jobName}`,
      },
      job.status?.startTime ? { timings: { startedAt: job.status.startTime } } : {},
      placed,
    );
    // Until a node takes the pod, nothing the operator watches changes when the scheduler gives up on it.
    const waiting = observed.pods !== undefined && placement?.state !== 'scheduled';
    return {
      actions,
      status,
      failure: undefined,
      ...(waiting ? { requeueAfterMs: UNSCHEDULED_RECHECK_MS } : {}),
    };
  }
  if (state.state === 'Failed') {
    const podSaid = observed.pods?.failure;
    const message = podSaid
      ? `Job ${jobName} failed (${podSaid.reason}): ${podSaid.message}`
      : `Job ${jobName} failed: ${state.message ?? 'no reason given'}`;
    const status = build(
      'Failed',
      { type: 'Complete', status: 'False', reason: RenderReason.JobFailed, message },
      {},
      placed,
    );
    return { actions, status, failure: RenderReason.JobFailed };
  }
  if (manifest.state !== 'found') {
    const reason = manifest.state === 'invalid' ? RenderReason.ManifestInvalid : RenderReason.ManifestMissing;
    const message =
      manifest.state === 'invalid'
        ? manifest.message
        : `Job ${jobName} succeeded but wrote no ${manifestUri(renderJob)}`;
    const status = build('Failed', { type: 'Complete', status: 'False', reason, message });
    return { actions, status, failure: reason };
  }
  const summary = manifest.summary;
  const base = outputBase(renderJob);
  const fill = summary.fillCheck;
  const fillNote = fill && !fill.passed ? `; ${fill.framesBelow} frames under the preset's fill` : '';
  const status = build(
    'Succeeded',
    {
      type: 'Complete',
      status: 'True',
      reason: RenderReason.Succeeded,
      message: `Rendered ${summary.framesRendered} frames on ${summary.device.name}${fillNote}`,
    },
    {
      framesRendered: summary.framesRendered,
      outputs: {
        manifestUri: `${base}manifest.json`,
        posterUri: `${base}${summary.poster}`,
        framesPrefix: `${base}${summary.framesFolder}`,
        descriptorsUri: `${base}${summary.descriptors}`,
        ...(renderJob.spec.references ? { fidelityUri: `${base}${FIDELITY_FILE}` } : {}),
      },
      device: summary.device,
      timings: {
        startedAt: summary.startedAt,
        completedAt: summary.completedAt,
        renderSeconds: summary.renderSeconds,
        framesPerSecond: summary.framesPerSecond,
      },
      ...(fill ? { fillCheck: fill } : {}),
      profiles: renderProfiles({
        spec: renderJob.spec,
        status: { framesRendered: summary.framesRendered, ...(fill ? { fillCheck: fill } : {}) },
      }),
    },
    fill ? [fillCondition(fill, summary.framesRendered)] : [],
  );
  return { actions, status, failure: undefined };
}
