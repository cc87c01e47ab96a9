import { describe, expect, it } from 'vitest';
import type { TurntableProfile } from '../../lib/profiles/turntable-profiles.ts';
import { buildRenderJob } from '../asset-submission/children.ts';
import type { RenderJob } from '../resources.ts';
import { assetSubmission, testConfig } from '../test-support/builders.ts';
import { renderProfiles } from './profiles.ts';

const base = buildRenderJob(assetSubmission().build(), testConfig());

/** A fill check of 72 frames whose misses are `misses` (frame → fill), against 85%. */
function fillCheck(misses: Record<number, number> = {}): NonNullable<RenderJob['status']>['fillCheck'] {
  const list = Object.entries(misses).map(([frame, fill]) => ({
    frame: Number(frame),
    angleDeg: Number(frame) * 5,
    fill,
    shortBy: Math.round((0.85 - fill) * 1e4) / 1e4,
  }));
  return {
    required: 0.85,
    minFill: Math.min(0.95, ...list.map((m) => m.fill)),
    maxFill: 0.95,
    passed: list.length === 0,
    framesBelow: list.length,
    misses: list,
  };
}

const amazon = (status: RenderJob['status']): Pick<RenderJob, 'spec' | 'status'> => ({
  spec: { ...base.spec, preset: 'amazon-360' },
  status,
});

describe('renderProfiles', () => {
  it.each([
    // The preset's 72 × 2000 px on white, every frame over 85%: met.
    ['amazon-360 preset, every frame filled', amazon({ framesRendered: 72, fillCheck: fillCheck() }), []],
    // One side-on frame at 80.9%: only the fill misses.
    [
      'amazon-360 preset, one frame at 80.9%',
      amazon({ framesRendered: 72, fillCheck: fillCheck({ 18: 0.809 }) }),
      ['minProductFill'],
    ],
    // The default turntable (36 × 1024 px, no preset): no fill measured, too few frames, too small.
    [
      'no preset',
      { spec: base.spec, status: { framesRendered: 36 } },
      ['frameCounts', 'minResolution', 'minProductFill'],
    ],
    // The preset on a transparent background: the background misses.
    [
      'amazon-360 preset on a transparent background',
      {
        spec: { ...base.spec, preset: 'amazon-360', background: 'transparent' },
        status: { framesRendered: 72, fillCheck: fillCheck() },
      },
      ['background'],
    ],
  ] as Array<[string, Pick<RenderJob, 'spec' | 'status'>, string[]]>)('%s', (_, renderJob, missed) => {
    const [outcome] = renderProfiles(renderJob);
    expect(outcome).toMatchObject({ id: 'amazon-360', met: missed.length === 0, missed });
    expect(outcome?.reasons).toHaveLength(missed.length);
  });

  it('keeps the status compact: no title and no per-frame list, the reason names the frames', () => {
    const [outcome] = renderProfiles(
      amazon({ framesRendered: 72, fillCheck: fillCheck({ 18: 0.809, 54: 0.84 }) }),
    );
    expect(Object.keys(outcome ?? {}).sort()).toEqual(['id', 'met', 'missed', 'reasons']);
    expect(outcome?.reasons[0]).toContain('2 of 72 frames fill less than 85.0%');
    expect(outcome?.reasons[0]).toContain('18 (90°, 80.9%, 4.1 points short)');
  });

  it('judges every profile it is given, in order', () => {
    const profiles: TurntableProfile[] = [
      { id: 'any-spin', title: 'Any spin', source: 'test', frameCounts: [36] },
      { id: 'big', title: 'Big', source: 'test', minResolution: 4096 },
    ];
    expect(renderProfiles({ spec: base.spec, status: { framesRendered: 36 } }, profiles)).toEqual([
      { id: 'any-spin', met: true, missed: [], reasons: [] },
      {
        id: 'big',
        met: false,
        missed: ['minResolution'],
        reasons: ['1024 px frames; big asks for at least 4096 px.'],
      },
    ]);
  });
});
