import { RENDER_DEFAULTS, RENDER_PRESET_RULES, RENDER_PRESET_SETTINGS } from '../crds/api.ts';
import { RenderError } from './errors.ts';

/** Output image formats. */
export type FrameFormat = 'webp' | 'png';

/** What a turntable should look like; every field optional, see {@link TURNTABLE_SETTINGS_DEFAULTS}. */
export interface TurntableSettingsOptions {
  /** Frames around the full turn (1–720). */
  frames?: number;
  /** Square frame size in pixels (16–4096). */
  resolution?: number;
  /**
   * Camera elevation above the horizon in degrees (−89…89), or `auto`: the API's 15°, raised (up to 30°)
   * so the top of a tall product is seen (`camera/auto-elevation.ts`).
   */
  elevationDeg?: number | 'auto';
  /** `#rrggbb` or `transparent`. */
  background?: string;
  /** A named preset whose rules override and constrain the rest. */
  preset?: 'amazon-360' | null;
  /** Image formats of the frames; the poster is always WebP. */
  formats?: FrameFormat[];
  /** MSAA samples (1 or 4). */
  msaaSamples?: 1 | 4;
  /** Share of the frame the product fills where it is largest (0.5–0.98). */
  fill?: number;
}

/** Settings after defaults and the preset are applied, as recorded in the manifest. */
export interface TurntableSettings extends Required<TurntableSettingsOptions> {
  /** Minimum fill every frame must reach (the preset's rule), or null when unchecked. */
  requiredFill: number | null;
  /** Requested values the preset replaced, e.g. `frames 36 → 72`, for a warning. */
  overridden: string[];
}

/**
 * Defaults: the API's render defaults (`RENDER_DEFAULTS` in crds/api.ts: 36 frames of 1024 px on white; the
 * elevation `auto`, which is the API's 15° unless the product is too tall to show its top from there),
 * WebP, 4× MSAA, 90% fill.
 */
export const TURNTABLE_SETTINGS_DEFAULTS: Readonly<Required<TurntableSettingsOptions>> = {
  frames: RENDER_DEFAULTS.frames,
  resolution: RENDER_DEFAULTS.resolution,
  elevationDeg: 'auto',
  background: RENDER_DEFAULTS.background,
  preset: null,
  formats: ['webp'],
  msaaSamples: 4,
  fill: 0.9,
};

const amazonSettings = RENDER_PRESET_SETTINGS['amazon-360'];
const amazonRules = RENDER_PRESET_RULES['amazon-360'];

/**
 * Amazon's 360° view rules, from the API's preset (crds/api.ts): 72 frames at 5°, elevation 10–30°, square
 * 2000 px, white background, the product filling at least 85% of every frame, frame 0 facing the camera,
 * counter-clockwise. `fill` is the framing's aim in the largest frame; `maxFill` is how far the framing may
 * go to bring the smallest frame up to `requiredFill` (the product is never cut).
 */
export const AMAZON_360 = {
  frames: amazonSettings.frames,
  resolution: amazonSettings.resolution,
  background: amazonSettings.background,
  elevationDeg: amazonSettings.elevation,
  minElevationDeg: amazonRules.minElevation,
  maxElevationDeg: amazonRules.maxElevation,
  requiredFill: amazonRules.requiredFill,
  fill: 0.95,
  maxFill: 0.98,
} as const;

/**
 * Applies defaults and the preset to what the user asked for and checks every bound, throwing
 * SHAZAM_RENDER_INVALID_OPTIONS with the offending value and the allowed range.
 *
 * With `amazon-360`, frames and background are the preset's, the resolution is at least its 2000 px (values
 * asked for otherwise are replaced and listed in `overridden`), and the elevation must lie within 10–30°.
 *
 * @example
 * ```ts
 * resolveTurntableSettings({ preset: 'amazon-360' }).frames // 72
 * ```
 */
export function resolveTurntableSettings(options: TurntableSettingsOptions = {}): TurntableSettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const settings: TurntableSettings = {
    ...TURNTABLE_SETTINGS_DEFAULTS,
    ...given,
    requiredFill: null,
    overridden: [],
  };
  if (settings.preset === 'amazon-360') {
    // Amazon's spec is the point of the preset: a run from the command line that asks for something else
    // gets the spec's value and a warning (the RenderJob CRD already refuses such a spec).
    const resolution = Math.max(options.resolution ?? AMAZON_360.resolution, AMAZON_360.resolution);
    const wanted = { frames: AMAZON_360.frames, resolution, background: AMAZON_360.background };
    for (const key of ['frames', 'resolution', 'background'] as const) {
      const value = options[key];
      if (value !== undefined && String(value).toLowerCase() !== String(wanted[key])) {
        settings.overridden.push(`${key} ${value} → ${wanted[key]}`);
      }
    }
    settings.frames = AMAZON_360.frames;
    settings.resolution = resolution;
    settings.background = AMAZON_360.background;
    // The automatic elevation stays within the preset's 10–30° by construction.
    settings.elevationDeg = options.elevationDeg ?? 'auto';
    settings.fill = options.fill ?? AMAZON_360.fill;
    settings.requiredFill = AMAZON_360.requiredFill;
    if (
      settings.elevationDeg !== 'auto' &&
      (settings.elevationDeg < AMAZON_360.minElevationDeg ||
        settings.elevationDeg > AMAZON_360.maxElevationDeg)
    ) {
      invalid(
        `the amazon-360 preset requires an elevation of ${AMAZON_360.minElevationDeg}–${AMAZON_360.maxElevationDeg}°, got ${settings.elevationDeg}`,
      );
    }
  } else if (settings.preset !== null) {
    invalid(`unknown preset "${settings.preset}"; the only preset is amazon-360`);
  }
  if (!Number.isInteger(settings.frames) || settings.frames < 1 || settings.frames > 720) {
    invalid(`frames must be a whole number from 1 to 720, got ${settings.frames}`);
  }
  if (!Number.isInteger(settings.resolution) || settings.resolution < 16 || settings.resolution > 4096) {
    invalid(`resolution must be a whole number of pixels from 16 to 4096, got ${settings.resolution}`);
  }
  if (
    settings.elevationDeg !== 'auto' &&
    (!Number.isFinite(settings.elevationDeg) || Math.abs(settings.elevationDeg) > 89)
  ) {
    invalid(`elevation must be between -89 and 89 degrees, got ${settings.elevationDeg}`);
  }
  if (!/^(#[0-9a-fA-F]{6}|transparent)$/.test(settings.background)) {
    invalid(`background must be #rrggbb or transparent, got "${settings.background}"`);
  }
  if (settings.formats.length === 0 || settings.formats.some((f) => f !== 'webp' && f !== 'png')) {
    invalid(`formats must be a non-empty list of webp and png, got "${settings.formats.join(',')}"`);
  }
  settings.formats = [...new Set(settings.formats)];
  if (settings.msaaSamples !== 1 && settings.msaaSamples !== 4) {
    invalid(`MSAA samples must be 1 or 4, got ${settings.msaaSamples}`);
  }
  if (!(settings.fill >= 0.5 && settings.fill <= 0.98)) {
    invalid(`fill must be between 0.5 and 0.98, got ${settings.fill}`);
  }
  return settings;
}

/** Parses `#rrggbb` into bytes; `transparent` stays as is. */
export function parseBackground(background: string): [number, number, number] | 'transparent' {
  if (background === 'transparent') return 'transparent';
  const value = Number.parseInt(background.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function invalid(message: string): never {
  throw new RenderError('SHAZAM_RENDER_INVALID_OPTIONS', message);
}
