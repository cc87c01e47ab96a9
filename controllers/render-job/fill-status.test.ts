import { beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION } from '../../crds/api.ts';
import type { RenderFillCheck } from '../../lib/contracts/render-manifest.ts';
import { createNamespace, kubectl } from '../../test/harness/index.ts';
import { renderJobJobName } from '../names.ts';
import type { RenderJob } from '../resources.ts';
import { job, testConfig } from '../test-support/builders.ts';
import { fillStatus } from './fill.ts';
import type { RenderSummary } from './manifest.ts';
import { assessRenderJob } from './plan.ts';

/** The Mixer's amazon-360 check as the renderer measured it before the framing was tightened. */
const CHECK: RenderFillCheck = {
  required: 0.85,
  min: 0.809,
  max: 0.95,
  passed: false,
  misses: [
    { frame: 17, angleDeg: 85, fill: 0.8311, shortBy: 0.0189 },
    { frame: 18, angleDeg: 90, fill: 0.809, shortBy: 0.041 },
    { frame: 19, angleDeg: 95, fill: 0.8311, shortBy: 0.0189 },
  ],
};

describe('RenderJob fill status and profiles on a real kube-apiserver', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace('render-fill');
  });

  it('keeps status.fillCheck, the FillCompliant condition and status.profiles the controller writes', async () => {
    const renderJob: RenderJob = {
      apiVersion: API_VERSION,
      kind: 'RenderJob',
      metadata: { name: 'mixer-amazon', namespace: ns, generation: 1 },
      spec: {
        source: { uri: 's3://assets/assets/B0D4KMX7Q2/versions/1/model.glb' },
        output: { uri: 's3://assets/assets/B0D4KMX7Q2/versions/1/renders/amazon-360/' },
        preset: 'amazon-360',
      },
    };
    const created = await kubectl(['create', '-n', ns, '-f', '-'], { input: JSON.stringify(renderJob) });
    expect(created.stderr).toBe('');
    const summary: RenderSummary = {
      framesRendered: 72,
      device: { name: 'llvmpipe', backend: 'opengles', software: true },
      renderSeconds: 30,
      framesPerSecond: 2.4,
      startedAt: '2026-01-01T00:00:00.000Z',
      completedAt: '2026-01-01T00:00:30.000Z',
      poster: 'poster.webp',
      descriptors: 'descriptors.json',
      framesFolder: '360/',
      frameFormat: 'webp',
      fillCheck: fillStatus(CHECK),
    };
    const { status } = assessRenderJob(
      {
        renderJob,
        job: job(renderJobJobName(renderJob), 'Succeeded'),
        manifest: { state: 'found', summary },
        now: '2026-01-01T00:00:31.000Z',
      },
      testConfig(),
    );
    const patched = await kubectl([
      'patch',
      '-n',
      ns,
      'renderjob',
      'mixer-amazon',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status }),
    ]);
    expect(patched.stderr).toBe('');
    const stored = JSON.parse(
      (await kubectl(['get', '-n', ns, 'renderjob', 'mixer-amazon', '-o', 'json'])).stdout,
    ).status as RenderJob['status'];
    // Nothing pruned: the schema knows every field.
    expect(stored?.fillCheck).toEqual({
      required: 0.85,
      minFill: 0.809,
      maxFill: 0.95,
      passed: false,
      framesBelow: 3,
      misses: CHECK.misses,
    });
    // The profiles judged on the render, compact: amazon-360 misses only the fill, its reason names the frames.
    expect(stored?.profiles).toEqual(status.profiles);
    expect(stored?.profiles).toEqual([
      {
        id: 'amazon-360',
        met: false,
        missed: ['minProductFill'],
        reasons: [
          expect.stringMatching(
            /^3 of 72 frames fill less than 85\.0%, the worst 4\.1 points short: frames 18 \(90°/,
          ),
        ],
      },
    ]);
    const condition = stored?.conditions?.find((c) => c.type === 'FillCompliant');
    expect(condition?.status).toBe('False');
    expect(condition?.reason).toBe('FramesUnderFill');
    expect(condition?.message).toMatch(
      /^3 of 72 frames fill less than 85\.0% \(smallest 80\.9% at frame 18, 90°/,
    );
  });
});
