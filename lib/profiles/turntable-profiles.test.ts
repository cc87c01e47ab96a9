import { describe, expect, it } from 'vitest';
import type { RenderJob, RenderJobStatusFillCheck } from '../../crds/types.generated.ts';
import { mixerFillShort } from './test-support/mixer-fill.ts';
import {
  evaluateTurntableProfiles,
  type TurntableFacts,
  type TurntableFillCheck,
  type TurntableProfile,
  turntableFacts,
} from './turntable-profiles.ts';

/** A fill check over `fills` (frame k at k·360/N degrees) against `required`, as the renderer writes it. */
function fillCheck(fills: number[], required = 0.85): TurntableFillCheck {
  const misses = fills
    .map((fill, frame) => ({ frame, angleDeg: (frame * 360) / fills.length, fill, shortBy: required - fill }))
    .filter((frame) => frame.fill < required);
  return {
    required,
    minFill: Math.min(...fills),
    maxFill: Math.max(...fills),
    passed: misses.length === 0,
    misses,
  };
}

/** 72 frames filling 0.95 except those given. */
const fills = (low: Record<number, number> = {}) => Array.from({ length: 72 }, (_, k) => low[k] ?? 0.95);

function amazonRender(patch: Partial<TurntableFacts> = {}): TurntableFacts {
  return { frames: 72, resolution: 2000, background: '#ffffff', fillCheck: fillCheck(fills()), ...patch };
}

const amazon = (facts: TurntableFacts) =>
  evaluateTurntableProfiles(facts).find((o) => o.id === 'amazon-360')!;

describe('evaluateTurntableProfiles', () => {
  it('meets amazon-360 with 72 frames of 2000 px on white, every frame filling 95%', () => {
    expect(amazon(amazonRender())).toMatchObject({ met: true, missed: [], reasons: [], fillMisses: [] });
  });

  it.each([
    // each row: what changes, and the limits amazon-360 misses
    ['36 frames (the default turntable)', { frames: 36 }, ['frameCounts']],
    ['1024 px frames', { resolution: 1024 }, ['minResolution']],
    ['4096 px frames', { resolution: 4096 }, ['maxResolution']],
    ['a transparent background', { background: 'transparent' }, ['background']],
    ['a grey background', { background: '#f0f0f0' }, ['background']],
    ['white written in capitals', { background: '#FFFFFF' }, []],
    ['two frames under 85%', { fillCheck: fillCheck(fills({ 18: 0.809, 54: 0.84 })) }, ['minProductFill']],
    ['a frame at exactly 85%', { fillCheck: fillCheck(fills({ 18: 0.85 })) }, []],
    ['no fill check (rendered without the preset)', { fillCheck: undefined }, ['minProductFill']],
    [
      'the default turntable: 36 × 1024 px, no fill check',
      { frames: 36, resolution: 1024, fillCheck: undefined },
      ['frameCounts', 'minResolution', 'minProductFill'],
    ],
  ] as Array<[string, Partial<TurntableFacts>, string[]]>)('%s', (_, patch, missed) => {
    const outcome = amazon(amazonRender(patch));
    expect(outcome.missed).toEqual(missed);
    expect(outcome.met).toBe(missed.length === 0);
    expect(outcome.reasons).toHaveLength(missed.length);
  });

  it('names the frames that miss the fill and by how much, worst first (the Mixer at amazon-360)', () => {
    const outcome = amazon(amazonRender({ fillCheck: fillCheck(fills({ 17: 0.84, 18: 0.809, 54: 0.812 })) }));
    expect(outcome.fillMisses).toEqual([
      { frame: 18, angleDeg: 90, fill: 0.809, shortBy: 0.041 },
      { frame: 54, angleDeg: 270, fill: 0.812, shortBy: 0.038 },
      { frame: 17, angleDeg: 85, fill: 0.84, shortBy: 0.01 },
    ]);
    expect(outcome.reasons[0]).toBe(
      '3 of 72 frames fill less than 85.0%, the worst 4.1 points short: frames 18 (90°, 80.9%, 4.1 points short), ' +
        '54 (270°, 81.2%, 3.8 points short), 17 (85°, 84.0%, 1.0 points short).',
    );
  });

  it('lists twelve frames in the sentence and counts the rest', () => {
    const low = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [k, 0.8]));
    const outcome = amazon(amazonRender({ fillCheck: fillCheck(fills(low)) }));
    expect(outcome.fillMisses).toHaveLength(20);
    expect(outcome.reasons[0]).toMatch(/^20 of 72 frames .* and 8 more\.$/);
  });

  it('judges against its own minimum when the render checked a different one', () => {
    // The render checked 80%: frames between 80% and 85% are not in its list, yet the profile still fails.
    const check = fillCheck(fills({ 3: 0.82, 9: 0.78 }), 0.8);
    const outcome = amazon(amazonRender({ fillCheck: check }));
    expect(outcome.missed).toEqual(['minProductFill']);
    expect(outcome.fillMisses).toEqual([{ frame: 9, angleDeg: 45, fill: 0.78, shortBy: 0.07 }]);
    expect(outcome.reasons[0]).toContain('frames between 80.0% and 85.0% are not listed');
    // A check stricter than the profile: frames between the two are not misses for the profile.
    const strict = amazon(amazonRender({ fillCheck: fillCheck(fills({ 5: 0.87 }), 0.9) }));
    expect(strict).toMatchObject({ met: true, fillMisses: [] });
  });

  it('a largest-frame profile needs only one frame to reach the fill', () => {
    const oneFrame: TurntableProfile = {
      id: 'one-frame',
      title: 'one frame at 85%',
      source: 'test',
      minProductFill: 0.85,
      fillRule: 'largest-frame',
    };
    const lowest = fillCheck([0.7, 0.86, 0.75, 0.8]);
    expect(evaluateTurntableProfiles(amazonRender({ fillCheck: lowest }), [oneFrame])[0]!.met).toBe(true);
    const [outcome] = evaluateTurntableProfiles(
      amazonRender({ fillCheck: fillCheck([0.7, 0.8, 0.75, 0.8]) }),
      [oneFrame],
    );
    expect(outcome!.missed).toEqual(['minProductFill']);
    expect(outcome!.reasons[0]).toBe('no frame fills 85.0% (largest 80.0%, 5.0 points short).');
  });
});

describe('turntableFacts', () => {
  const renderJob = (spec: Partial<RenderJob['spec']>, status?: RenderJob['status']) => ({
    spec: {
      source: { uri: 's3://b/model.glb' },
      output: { uri: 's3://b/renders/' },
      ...spec,
    } as RenderJob['spec'],
    ...(status ? { status } : {}),
  });

  it.each([
    // each row: the spec, and the settings the renderer used
    ['defaults', {}, { frames: 36, resolution: 1024, background: '#ffffff' }],
    [
      'the amazon-360 preset',
      { preset: 'amazon-360' },
      { frames: 72, resolution: 2000, background: '#ffffff' },
    ],
    [
      'explicit values',
      { frames: 24, resolution: 1600, background: 'transparent' },
      {
        frames: 24,
        resolution: 1600,
        background: 'transparent',
      },
    ],
  ] as Array<[string, Partial<RenderJob['spec']>, Partial<TurntableFacts>]>)('%s', (_, spec, expected) => {
    expect(turntableFacts(renderJob(spec))).toEqual({ ...expected, fillCheck: undefined });
  });

  it('takes frames rendered and the fill check from the status, which the profile then reads', () => {
    const check: RenderJobStatusFillCheck = mixerFillShort();
    const facts = turntableFacts(
      renderJob({ preset: 'amazon-360' }, { framesRendered: 72, fillCheck: check }),
    );
    expect(facts.fillCheck).toBe(check);
    expect(amazon(facts)).toMatchObject({
      met: false,
      missed: ['minProductFill'],
      fillMisses: [{ frame: 18, angleDeg: 90, fill: 0.809, shortBy: 0.041 }],
    });
  });
});
