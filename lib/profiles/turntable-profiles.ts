/**
 * Storefront profiles judged on the rendered turntable rather than on the delivered model: frame count,
 * frame size, background and how much of the frame the product fills. The model profiles
 * (`validation/profiles/storefront-profiles.ts`) are judged by the validation Job before anything is
 * rendered; these are judged once the RenderJob has succeeded, from its spec and `status.fillCheck`, by the
 * RenderJob controller (`status.profiles`), whose outcome the QAReview and the published submission carry.
 * Pure; in `lib/` because the controllers (which import only `crds/` and `lib/`) judge them.
 */
import { resolveRenderSettings } from '../../crds/api.ts';
import type { RenderJob } from '../../crds/types.generated.ts';
import type { ProfileOutcome } from '../contracts/validation-result.ts';

/** Which frames must reach a profile's `minProductFill`. */
export type FillRule = 'every-frame' | 'largest-frame';

/** The turntable limits of one storefront; unset fields are not checked. Sources in docs/validation.md. */
export interface TurntableProfile {
  id: string;
  title: string;
  /** Where the limits come from. */
  source: string;
  /** Frame counts accepted for the full turn. */
  frameCounts?: number[];
  /** Smallest and largest side of the square frames, in pixels. */
  minResolution?: number;
  maxResolution?: number;
  /** The only background accepted, `#rrggbb` (lower case). */
  background?: string;
  /** Share of the frame's width or height the product must fill (0–1). */
  minProductFill?: number;
  /**
   * `every-frame`: each frame must reach `minProductFill` (what the `amazon-360` preset checks and
   * `fillCheck.passed` reports); `largest-frame`: at least one frame must (Amazon's written minimum).
   */
  fillRule?: FillRule;
}

/** The storefront profiles judged on a turntable. */
export const TURNTABLE_PROFILES: TurntableProfile[] = [
  {
    id: 'amazon-360',
    title: 'Amazon 360° View (spin of 24, 48 or 72 frames on white)',
    source:
      "Amazon 360° View asset specification (vendor spec v4, as quoted on Amazon's seller forum): 24, 48 or 72 images, square, 1500–2500 px, background removed to white, the product filling at least 85% of the frame's width or height; product image standard: 85% of the frame",
    frameCounts: [24, 48, 72],
    minResolution: 1500,
    maxResolution: 2500,
    background: '#ffffff',
    minProductFill: 0.85,
    // The preset frames every frame to 85%: a spin whose product shrinks to 70% side-on reads as a
    // different product size from frame to frame, even where Amazon's one-frame minimum is met.
    fillRule: 'every-frame',
  },
];

/** One frame under the required fill (`RenderJob.status.fillCheck.misses[]`). */
export interface TurntableFillMiss {
  frame: number;
  angleDeg: number;
  fill: number;
  /** The fill the check required minus `fill`. */
  shortBy: number;
}

/**
 * The RenderJob's fill check, `status.fillCheck` (the shape of `RenderJobStatusFillCheck`): `misses` lists
 * every frame under `required`.
 */
export interface TurntableFillCheck {
  required: number;
  minFill: number;
  maxFill?: number;
  passed: boolean;
  misses: TurntableFillMiss[];
}

/** What the turntable profiles are judged on: a succeeded RenderJob's settings and fill check. */
export interface TurntableFacts {
  /** Frames rendered (`status.framesRendered`). */
  frames: number;
  /** Side of the square frames in pixels (the spec's, else its preset's, else the default). */
  resolution: number;
  /** `#rrggbb` or `transparent` (resolved the same way). */
  background: string;
  /** `status.fillCheck`; absent when the render checked no fill (rendered without a preset). */
  fillCheck?: TurntableFillCheck | undefined;
}

/**
 * The facts of a RenderJob: frames rendered, its settings resolved as the renderer resolves them (spec,
 * else preset, else default) and `status.fillCheck`.
 *
 * @example
 * ```ts
 * evaluateTurntableProfiles(turntableFacts(renderJob))
 * ```
 */
export function turntableFacts(renderJob: Pick<RenderJob, 'spec' | 'status'>): TurntableFacts {
  const { spec, status } = renderJob;
  const settings = resolveRenderSettings({
    ...(spec.frames !== undefined ? { frames: spec.frames } : {}),
    ...(spec.resolution !== undefined ? { resolution: spec.resolution } : {}),
    ...(spec.background !== undefined ? { background: spec.background } : {}),
    ...(spec.preset !== undefined ? { preset: spec.preset } : {}),
  });
  return {
    frames: status?.framesRendered ?? settings.frames,
    resolution: settings.resolution,
    background: settings.background,
    fillCheck: status?.fillCheck,
  };
}

/** A turntable profile's outcome: the model profiles' shape plus what a person needs to act on it. */
export interface TurntableProfileOutcome extends ProfileOutcome {
  title: string;
  /** One sentence per missed limit (empty when met). */
  reasons: string[];
  /** The frames under the profile's fill, each with its shortfall (`required − fill`), worst first. */
  fillMisses: TurntableFillMiss[];
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const points = (share: number) => `${(share * 100).toFixed(1)} points`;

/**
 * Says, for each turntable profile, whether the rendered turntable meets it, which limits it misses
 * (codes like `minProductFill`, `frameCounts`) and, for the fill, which frames miss and by how much.
 *
 * Assumptions: `fillCheck.misses` lists every frame under `fillCheck.required`. Caveats: when the check
 * required less than the profile does, frames between the two are not listed; the outcome still fails on
 * `minFill` and its reason says the list may be incomplete.
 *
 * @example
 * ```ts
 * evaluateTurntableProfiles({ frames: 72, resolution: 2000, background: '#ffffff', fillCheck })
 * // → [{ id: 'amazon-360', met: false, missed: ['minProductFill'], fillMisses: [{ frame: 18, … }], … }]
 * ```
 */
export function evaluateTurntableProfiles(
  facts: TurntableFacts,
  profiles: TurntableProfile[] = TURNTABLE_PROFILES,
): TurntableProfileOutcome[] {
  return profiles.map((profile) => {
    const missed: string[] = [];
    const reasons: string[] = [];
    const miss = (code: string, reason: string) => {
      missed.push(code);
      reasons.push(reason);
    };
    if (profile.frameCounts && !profile.frameCounts.includes(facts.frames)) {
      miss('frameCounts', `${facts.frames} frames; ${profile.id} accepts ${profile.frameCounts.join(', ')}.`);
    }
    if (profile.minResolution !== undefined && facts.resolution < profile.minResolution) {
      miss(
        'minResolution',
        `${facts.resolution} px frames; ${profile.id} asks for at least ${profile.minResolution} px.`,
      );
    }
    if (profile.maxResolution !== undefined && facts.resolution > profile.maxResolution) {
      miss(
        'maxResolution',
        `${facts.resolution} px frames; ${profile.id} accepts at most ${profile.maxResolution} px.`,
      );
    }
    if (profile.background !== undefined && facts.background.toLowerCase() !== profile.background) {
      miss('background', `background ${facts.background}; ${profile.id} asks for ${profile.background}.`);
    }
    let fillMisses: TurntableFillMiss[] = [];
    if (profile.minProductFill !== undefined) {
      const fill = judgeFill(profile.minProductFill, profile.fillRule ?? 'every-frame', facts);
      fillMisses = fill.misses;
      if (fill.reason) miss('minProductFill', fill.reason);
    }
    return { id: profile.id, title: profile.title, met: missed.length === 0, missed, reasons, fillMisses };
  });
}

/** The fill part of a profile: met, or why not and which frames miss. */
function judgeFill(
  required: number,
  rule: FillRule,
  facts: TurntableFacts,
): { reason?: string; misses: TurntableFillMiss[] } {
  const check = facts.fillCheck;
  if (!check) {
    return {
      reason: `no fill check: the turntable was rendered without a preset that measures fill (render with preset amazon-360).`,
      misses: [],
    };
  }
  const misses = check.misses
    .filter((frame) => frame.fill < required)
    .map((frame) => ({ ...frame, shortBy: round4(required - frame.fill) }))
    .sort((a, b) => b.shortBy - a.shortBy || a.frame - b.frame);
  if (rule === 'largest-frame') {
    const largest = check.maxFill;
    if (largest === undefined) {
      return { reason: 'the fill check does not record the largest frame fill; render again.', misses: [] };
    }
    if (largest >= required) return { misses: [] };
    return {
      reason: `no frame fills ${percent(required)} (largest ${percent(largest)}, ${points(required - largest)} short).`,
      misses,
    };
  }
  if (check.minFill >= required) return { misses: [] };
  const worst = misses[0];
  const listed = misses
    .slice(0, 12)
    .map(
      (frame) =>
        `${frame.frame} (${frame.angleDeg}°, ${percent(frame.fill)}, ${points(frame.shortBy)} short)`,
    )
    .join(', ');
  const more = misses.length > 12 ? ` and ${misses.length - 12} more` : '';
  const incomplete =
    check.required < required
      ? ` The render checked ${percent(check.required)}, so frames between ${percent(check.required)} and ${percent(required)} are not listed.`
      : '';
  const head = worst
    ? `${misses.length} of ${facts.frames} frames fill less than ${percent(required)}, the worst ${points(worst.shortBy)} short: frames ${listed}${more}.`
    : `the smallest frame fills ${percent(check.minFill)}, ${points(required - check.minFill)} short of ${percent(required)}.`;
  return { reason: head + incomplete, misses };
}

function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
