import { describe, expect, it } from 'vitest';
import { resolveRenderSettings } from '../crds/api.ts';
import { AUTO_ELEVATION } from './camera/auto-elevation.ts';
import { RenderError } from './errors.ts';
import { parseBackground, resolveTurntableSettings } from './turntable-settings.ts';

describe('resolveTurntableSettings', () => {
  it('applies the defaults', () => {
    expect(resolveTurntableSettings()).toEqual({
      frames: 36,
      resolution: 1024,
      elevationDeg: 'auto',
      background: '#ffffff',
      preset: null,
      formats: ['webp'],
      msaaSamples: 4,
      fill: 0.9,
      requiredFill: null,
      overridden: [],
    });
  });

  it.each([
    [{}, {}],
    [{ preset: 'amazon-360' as const }, { preset: 'amazon-360' as const }],
    [
      { preset: 'amazon-360' as const, elevation: 25 },
      { preset: 'amazon-360' as const, elevationDeg: 25 },
    ],
  ])(
    'agrees with the API for %o (the operator and the command line render the same turntable)',
    (request, options) => {
      const api = resolveRenderSettings(request);
      const ours = resolveTurntableSettings(options);
      // `auto` starts from the API's default and only rises for tall products.
      expect({
        frames: ours.frames,
        resolution: ours.resolution,
        elevation: ours.elevationDeg === 'auto' ? AUTO_ELEVATION.minDeg : ours.elevationDeg,
        background: ours.background,
      }).toEqual(api);
    },
  );

  it('amazon-360 sets 72 frames of 2000 px on white and checks 85% fill', () => {
    const settings = resolveTurntableSettings({ preset: 'amazon-360', elevationDeg: 20 });
    expect(settings).toMatchObject({
      frames: 72,
      resolution: 2000,
      background: '#ffffff',
      elevationDeg: 20,
      requiredFill: 0.85,
    });
    expect(settings.fill).toBeGreaterThanOrEqual(0.85);
  });

  it.each([
    // Amazon asks for 10–30° of elevation
    [{ preset: 'amazon-360' as const, elevationDeg: 45 }, /elevation of 10–30°/],
    [{ frames: 0 }, /frames must be a whole number from 1 to 720/],
    [{ frames: 2.5 }, /frames must be a whole number/],
    [{ resolution: 8192 }, /16 to 4096/],
    [{ elevationDeg: 90 }, /between -89 and 89/],
    [{ background: 'white' }, /#rrggbb or transparent/],
    [{ formats: [] }, /non-empty list/],
    [{ fill: 1.2 }, /fill must be between/],
  ])('rejects %o', (options, message) => {
    const attempt = () => resolveTurntableSettings(options);
    expect(attempt).toThrow(RenderError);
    expect(attempt).toThrow(message);
  });

  it('lets the preset replace frames, resolution and background, listing what it replaced', () => {
    // A command-line run asking for values the spec does not allow gets the spec's, with a warning.
    const settings = resolveTurntableSettings({
      preset: 'amazon-360',
      frames: 36,
      resolution: 1024,
      background: 'transparent',
    });
    expect([settings.frames, settings.resolution, settings.background]).toEqual([72, 2000, '#ffffff']);
    expect(settings.overridden).toEqual([
      'frames 36 → 72',
      'resolution 1024 → 2000',
      'background transparent → #ffffff',
    ]);
  });

  it('keeps a resolution above the preset minimum, as the RenderJob CRD allows', () => {
    const settings = resolveTurntableSettings({ preset: 'amazon-360', resolution: 4096 });
    expect(settings.resolution).toBe(4096);
    expect(settings.overridden).toEqual([]);
  });

  it('accepts the preset values given explicitly and removes duplicate formats', () => {
    const settings = resolveTurntableSettings({
      preset: 'amazon-360',
      frames: 72,
      background: '#FFFFFF',
      formats: ['webp', 'png', 'webp'],
    });
    expect(settings.formats).toEqual(['webp', 'png']);
    expect(settings.overridden).toEqual([]);
  });
});

describe('parseBackground', () => {
  it.each([
    ['#ffffff', [255, 255, 255]],
    ['#102030', [16, 32, 48]],
    ['transparent', 'transparent'],
  ])('%s', (text, expected) => {
    expect(parseBackground(text)).toEqual(expected);
  });
});
