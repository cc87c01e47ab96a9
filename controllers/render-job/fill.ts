/**
 * The preset's fill check as the RenderJob reports it: `status.fillCheck` (from the manifest's
 * `fillCheck`) and the `FillCompliant` condition saying which frames miss the required fill and by how
 * much. Pure.
 */
import type { RenderFillCheck } from '../../lib/contracts/render-manifest.ts';
import type { DesiredCondition } from '../../lib/kube/status.ts';
import { RenderReason } from '../reasons.ts';

/** `RenderJob.status.fillCheck`. */
export interface RenderFillStatus {
  /** Share of the frame every frame should fill (the preset's rule). */
  required: number;
  minFill: number;
  /** The largest frame's fill; Amazon's 360° View spec asks for `required` in at least one frame. */
  maxFill?: number;
  /** Every frame reaches `required`. */
  passed: boolean;
  /** How many frames fill less than `required`. */
  framesBelow: number;
  /** Those frames, with their fill and shortfall (`required − fill`). */
  misses: Array<{ frame: number; angleDeg: number; fill: number; shortBy: number }>;
}

/** The status field from the manifest's check. */
export function fillStatus(check: RenderFillCheck): RenderFillStatus {
  return {
    required: check.required,
    minFill: check.min,
    ...(check.max !== undefined ? { maxFill: check.max } : {}),
    passed: check.passed,
    framesBelow: check.misses.length,
    misses: check.misses.map((miss) => ({ ...miss })),
  };
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/**
 * One sentence: every frame fills enough, or how many frames miss, the worst of them and by how much, and
 * whether Amazon's at-least-one-frame rule is still met.
 *
 * @example
 * ```ts
 * fillSentence(status, 72)
 * // → '5 of 72 frames fill less than 85% (smallest 80.9% at frame 18, 90°, 4.1 points short); …'
 * ```
 */
export function fillSentence(status: RenderFillStatus, frames: number): string {
  if (status.passed) {
    return `Every frame fills at least ${percent(status.required)} of the frame (smallest ${percent(status.minFill)}).`;
  }
  const worst = status.misses.reduce((a, b) => (b.shortBy > a.shortBy ? b : a), status.misses[0]!);
  const list = status.misses
    .slice(0, 12)
    .map((miss) => `${miss.frame} (${miss.angleDeg}°, ${percent(miss.fill)})`)
    .join(', ');
  const more = status.misses.length > 12 ? ` and ${status.misses.length - 12} more` : '';
  const amazon =
    status.maxFill === undefined
      ? ''
      : status.maxFill >= status.required
        ? ` Amazon's 360° View spec asks for ${percent(status.required)} in at least one frame: met (largest ${percent(status.maxFill)}).`
        : ` Amazon's 360° View spec asks for ${percent(status.required)} in at least one frame: not met (largest ${percent(status.maxFill)}).`;
  return (
    `${status.framesBelow} of ${frames} frames fill less than ${percent(status.required)} ` +
    `(smallest ${percent(worst.fill)} at frame ${worst.frame}, ${worst.angleDeg}°, ` +
    `${(worst.shortBy * 100).toFixed(1)} points short): frames ${list}${more}. ` +
    `The product is much narrower seen from these angles; framing tighter would cut it off in others.${amazon}`
  );
}

/** The `FillCompliant` condition of a RenderJob whose preset checks fill. */
export function fillCondition(status: RenderFillStatus, frames: number): DesiredCondition {
  return {
    type: 'FillCompliant',
    status: status.passed ? 'True' : 'False',
    reason: status.passed ? RenderReason.FillMet : RenderReason.FramesUnderFill,
    message: fillSentence(status, frames),
  };
}
