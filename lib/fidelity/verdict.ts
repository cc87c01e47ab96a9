/**
 * From scores to a verdict. The bounds were calibrated on the labelled set of `npm run bench:fidelity`
 * (docs/validation.md, "Reference-photo fidelity").
 */
import type { FidelityVerdict } from '../../crds/api.ts';

/** The measures of one reference photo against one turntable view. */
export interface FidelityScores {
  /** IoU of the aligned silhouettes (0–1); absent for a close-up. */
  silhouetteIoU?: number;
  /** CIEDE2000 between the dominant colours (kL = 2). */
  colourDeltaE: number;
  /** SSIM of the aligned grey views inside the shared silhouette; absent for a close-up. */
  structuralSimilarity?: number;
  /** Cosine similarity of the photo-search descriptors. */
  descriptorSimilarity: number;
}

/** Bounds of one verdict: a score on the wrong side of any bound fails it. */
export interface ScoreBounds {
  minIoU: number;
  maxDeltaE: number;
  minSsim: number;
  minDescriptor: number;
}

/** Match needs every score inside `match`; any score outside `mismatch` makes it a Mismatch. */
export interface FidelityThresholds {
  match: ScoreBounds;
  mismatch: ScoreBounds;
}

/** The calibrated thresholds. */
export const FIDELITY_THRESHOLDS: FidelityThresholds = {
  match: { minIoU: 0.86, maxDeltaE: 11, minSsim: 0.05, minDescriptor: 0.75 },
  mismatch: { minIoU: 0.7, maxDeltaE: 15, minSsim: -0.1, minDescriptor: 0.5 },
};

/** A verdict and the reasons for it, in words. */
export interface VerdictResult {
  verdict: FidelityVerdict;
  reasons: string[];
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);

/**
 * Judges a reference photo's scores. A close-up (no silhouette or structure score) is at best Check: only
 * its colours can be compared.
 *
 * @example
 * ```ts
 * judge({ silhouetteIoU: 0.91, colourDeltaE: 3.2, structuralSimilarity: 0.6, descriptorSimilarity: 0.9 });
 * // { verdict: 'Match', reasons: [] }
 * ```
 */
export function judge(
  scores: FidelityScores,
  thresholds: FidelityThresholds = FIDELITY_THRESHOLDS,
): VerdictResult {
  const far: string[] = [];
  const borderline: string[] = [];
  const { match, mismatch } = thresholds;
  const { silhouetteIoU: iou, colourDeltaE: deltaE, structuralSimilarity: structure } = scores;
  if (iou === undefined || structure === undefined) {
    borderline.push('close-up: only the colours are compared');
  }
  if (iou !== undefined) {
    if (iou < mismatch.minIoU) far.push(`silhouette IoU ${fixed(iou)} < ${mismatch.minIoU}`);
    else if (iou < match.minIoU) borderline.push(`silhouette IoU ${fixed(iou)} < ${match.minIoU}`);
  }
  if (deltaE > mismatch.maxDeltaE) far.push(`colour ΔE00 ${fixed(deltaE, 1)} > ${mismatch.maxDeltaE}`);
  else if (deltaE > match.maxDeltaE) borderline.push(`colour ΔE00 ${fixed(deltaE, 1)} > ${match.maxDeltaE}`);
  if (structure !== undefined) {
    if (structure < mismatch.minSsim) far.push(`SSIM ${fixed(structure)} < ${mismatch.minSsim}`);
    else if (structure < match.minSsim) borderline.push(`SSIM ${fixed(structure)} < ${match.minSsim}`);
  }
  const descriptor = scores.descriptorSimilarity;
  if (descriptor < mismatch.minDescriptor) {
    far.push(`descriptor similarity ${fixed(descriptor)} < ${mismatch.minDescriptor}`);
  } else if (descriptor < match.minDescriptor) {
    borderline.push(`descriptor similarity ${fixed(descriptor)} < ${match.minDescriptor}`);
  }
  if (far.length > 0) return { verdict: 'Mismatch', reasons: [...far, ...borderline] };
  if (borderline.length > 0) return { verdict: 'Check', reasons: borderline };
  return { verdict: 'Match', reasons: [] };
}
