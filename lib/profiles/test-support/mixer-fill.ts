import type { RenderJobStatusFillCheck } from '../../../crds/types.generated.ts';

/**
 * The Mixer's `amazon-360` fill check as a RenderJob status carries it: one frame (18, at 90°) fills 80.9%
 * of the frame, 4.1 points under the 85% the preset requires, the largest frame 95%.
 */
export function mixerFillShort(): RenderJobStatusFillCheck {
  return {
    required: 0.85,
    minFill: 0.809,
    maxFill: 0.95,
    passed: false,
    framesBelow: 1,
    misses: [{ frame: 18, angleDeg: 90, fill: 0.809, shortBy: 0.041 }],
  };
}
