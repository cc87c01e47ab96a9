import { describe, expect, it } from 'vitest';
import { mixerFillShort } from '../../lib/profiles/test-support/mixer-fill.ts';
import { buildRenderJob } from '../asset-submission/children.ts';
import { renderJobJobName } from '../names.ts';
import type { RenderJob } from '../resources.ts';
import { assetSubmission, job, testConfig } from '../test-support/builders.ts';
import type { RenderSummary } from './manifest.ts';
import { assessRenderJob, type ManifestObservation } from './plan.ts';

const config = testConfig();
const NOW = '2026-01-01T00:00:00.000Z';
const renderJob: RenderJob = {
  ...buildRenderJob(assetSubmission().build(), config),
  metadata: { name: 'chair-r1', namespace: 'studio', uid: 'rj', generation: 1 },
};
const jobName = renderJobJobName(renderJob);
const summary: RenderSummary = {
  framesRendered: 36,
  device: { name: 'NVIDIA L4', backend: 'vulkan', software: false },
  renderSeconds: 9,
  framesPerSecond: 4,
  startedAt: NOW,
  completedAt: NOW,
  poster: 'poster.webp',
  descriptors: 'descriptors.json',
  framesFolder: '360/',
  frameFormat: 'webp',
};
const found: ManifestObservation = { state: 'found', summary };

describe('assessRenderJob', () => {
  it.each([
    // No Job yet: create it.
    {
      name: 'creates the Job',
      job: undefined,
      manifest: { state: 'unread' } as ManifestObservation,
      phase: 'Pending',
      actions: 1,
    },
    {
      name: 'reports Running',
      job: job(jobName, 'Running'),
      manifest: { state: 'unread' } as ManifestObservation,
      phase: 'Running',
      actions: 0,
    },
    {
      name: 'reports a failed Job',
      job: job(jobName, 'Failed'),
      manifest: { state: 'unread' } as ManifestObservation,
      phase: 'Failed',
      actions: 0,
    },
    // The Job succeeded but the renderer wrote no manifest: the render failed.
    {
      name: 'fails without a manifest',
      job: job(jobName, 'Succeeded'),
      manifest: { state: 'missing' } as ManifestObservation,
      phase: 'Failed',
      actions: 0,
    },
    {
      name: 'succeeds with the manifest',
      job: job(jobName, 'Succeeded'),
      manifest: found,
      phase: 'Succeeded',
      actions: 0,
    },
  ])('$name', (row) => {
    const assessment = assessRenderJob({ renderJob, job: row.job, manifest: row.manifest, now: NOW }, config);
    expect(assessment.status.phase).toBe(row.phase);
    expect(assessment.actions).toHaveLength(row.actions);
  });

  it('reports outputs, device and timings on success', () => {
    const { status } = assessRenderJob(
      { renderJob, job: job(jobName, 'Succeeded'), manifest: found, now: NOW },
      config,
    );
    expect(status).toMatchObject({
      framesRendered: 36,
      outputs: {
        posterUri: 's3://assets-test/assets/B0CHAIR001/versions/1/renders/poster.webp',
        framesPrefix: 's3://assets-test/assets/B0CHAIR001/versions/1/renders/360/',
      },
      device: { name: 'NVIDIA L4', software: false },
      timings: { renderSeconds: 9, framesPerSecond: 4 },
    });
  });

  it('reports the preset fill check: FillCompliant False naming the frames that miss and by how much', () => {
    const fillCheck = {
      required: 0.85,
      minFill: 0.809,
      maxFill: 0.95,
      passed: false,
      framesBelow: 2,
      misses: [
        { frame: 18, angleDeg: 90, fill: 0.809, shortBy: 0.041 },
        { frame: 54, angleDeg: 270, fill: 0.84, shortBy: 0.01 },
      ],
    };
    const { status } = assessRenderJob(
      {
        renderJob,
        job: job(jobName, 'Succeeded'),
        manifest: { state: 'found', summary: { ...summary, framesRendered: 72, fillCheck } },
        now: NOW,
      },
      config,
    );
    expect(status.phase).toBe('Succeeded');
    expect(status.fillCheck).toEqual(fillCheck);
    const condition = status.conditions?.find((c) => c.type === 'FillCompliant');
    expect(condition).toMatchObject({ status: 'False', reason: 'FramesUnderFill' });
    expect(condition?.message).toContain('2 of 72 frames fill less than 85.0%');
    expect(condition?.message).toContain('smallest 80.9% at frame 18, 90°, 4.1 points short');
    expect(condition?.message).toContain('18 (90°, 80.9%), 54 (270°, 84.0%)');
    expect(condition?.message).toContain("Amazon's 360° View spec asks for 85.0% in at least one frame: met");
    expect(status.message).toContain('2 frames under the preset');
  });

  it('says FillCompliant True when every frame fills enough, and nothing without a preset', () => {
    const passed = { required: 0.85, minFill: 0.87, maxFill: 0.95, passed: true, framesBelow: 0, misses: [] };
    const withPreset = assessRenderJob(
      {
        renderJob,
        job: job(jobName, 'Succeeded'),
        manifest: { state: 'found', summary: { ...summary, fillCheck: passed } },
        now: NOW,
      },
      config,
    );
    expect(withPreset.status.conditions?.find((c) => c.type === 'FillCompliant')).toMatchObject({
      status: 'True',
      reason: 'FillMet',
    });
    const without = assessRenderJob(
      { renderJob, job: job(jobName, 'Succeeded'), manifest: found, now: NOW },
      config,
    );
    expect(without.status.conditions?.some((c) => c.type === 'FillCompliant')).toBe(false);
    expect(without.status.fillCheck).toBeUndefined();
  });

  it('judges the turntable profiles on success: amazon-360 missed on the fill, with the reason', () => {
    const amazonJob: RenderJob = { ...renderJob, spec: { ...renderJob.spec, preset: 'amazon-360' } };
    const fillCheck = mixerFillShort();
    const { status } = assessRenderJob(
      {
        renderJob: amazonJob,
        job: job(jobName, 'Succeeded'),
        manifest: { state: 'found', summary: { ...summary, framesRendered: 72, fillCheck } },
        now: NOW,
      },
      config,
    );
    expect(status.profiles).toEqual([
      {
        id: 'amazon-360',
        met: false,
        missed: ['minProductFill'],
        reasons: [expect.stringContaining('1 of 72 frames fill less than 85.0%, the worst 4.1 points short')],
      },
    ]);
  });

  it('judges the profiles of a render that succeeded before they existed, and keeps them on later passes', () => {
    const done = assessRenderJob(
      { renderJob, job: job(jobName, 'Succeeded'), manifest: found, now: NOW },
      config,
    );
    const { profiles, ...older } = done.status;
    expect(profiles?.map((p) => [p.id, p.met, p.missed])).toEqual([
      ['amazon-360', false, ['frameCounts', 'minResolution', 'minProductFill']],
    ]);
    const again = assessRenderJob(
      { renderJob: { ...renderJob, status: older }, job: undefined, manifest: { state: 'unread' }, now: NOW },
      config,
    );
    expect(again.status).toEqual(done.status);
  });

  it('does not recreate the Job of a recorded outcome after the Job expired', () => {
    const done = assessRenderJob(
      { renderJob, job: job(jobName, 'Succeeded'), manifest: found, now: NOW },
      config,
    );
    const settled = { ...renderJob, status: done.status };
    const again = assessRenderJob(
      { renderJob: settled, job: undefined, manifest: { state: 'unread' }, now: NOW },
      config,
    );
    expect(again.actions).toEqual([]);
    expect(again.status).toEqual(done.status);
  });

  it('says why no node takes the pod: Pending, Scheduled False with the scheduler’s reason, and looks again', () => {
    const message = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.";
    const waiting = assessRenderJob(
      {
        renderJob,
        job: job(jobName, 'Running'),
        manifest: { state: 'unread' },
        pods: {
          placement: { state: 'unschedulable', pod: 'p', reason: 'Unschedulable', message },
          failure: undefined,
        },
        now: NOW,
      },
      config,
    );
    expect(waiting.status.phase).toBe('Pending');
    expect(waiting.status.message).toBe(`Job ${jobName} waits for a node: ${message}`);
    expect(waiting.status.conditions?.find((c) => c.type === 'Scheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message,
    });
    expect(waiting.status.conditions?.find((c) => c.type === 'Complete')).toMatchObject({
      status: 'Unknown',
      reason: 'WaitingForNode',
    });
    expect(waiting.requeueAfterMs).toBeGreaterThan(0);

    const placed = assessRenderJob(
      {
        renderJob: { ...renderJob, status: waiting.status },
        job: job(jobName, 'Running'),
        manifest: { state: 'unread' },
        pods: { placement: { state: 'scheduled', pod: 'p', node: 'gpu-1' }, failure: undefined },
        now: NOW,
      },
      config,
    );
    expect(placed.status.phase).toBe('Running');
    expect(placed.status.conditions?.find((c) => c.type === 'Scheduled')).toMatchObject({
      status: 'True',
      reason: 'Scheduled',
      message: 'Pod p runs on node gpu-1',
    });
    expect(placed.requeueAfterMs).toBeUndefined();
  });

  it('carries why the pod failed into the failed RenderJob', () => {
    const failed = assessRenderJob(
      {
        renderJob,
        job: job(jobName, 'Failed'),
        manifest: { state: 'unread' },
        pods: {
          placement: { state: 'scheduled', pod: 'p', node: 'gpu-1' },
          failure: { reason: 'OOMKilled', message: 'the container ended with exit code 137' },
        },
        now: NOW,
      },
      config,
    );
    expect(failed.status.phase).toBe('Failed');
    expect(failed.status.message).toBe(
      `Job ${jobName} failed (OOMKilled): the container ended with exit code 137`,
    );
  });
});
