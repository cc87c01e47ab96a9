/**
 * Measures how a rendered product looks: mean brightness and colour over the product's pixels (those with
 * full alpha on a transparent background), so two renderers' frames of the same model can be compared
 * whatever their framing. Pure.
 */

/** Mean appearance of a frame's product region, in display (sRGB-encoded) values 0–1. */
export interface RegionStats {
  /** Pixels counted. */
  pixels: number;
  /** Mean R, G, B. */
  meanRgb: [number, number, number];
  /** Mean Rec. 709 luma of the encoded values. */
  brightness: number;
  /** Mean RGB over its sum: the colour without its brightness. */
  chromaticity: [number, number, number];
}

/**
 * Statistics of the pixels of `rgba` (straight alpha, 8 bits) whose alpha is at least `minAlpha`: the
 * product's interior, its anti-aliased edge left out.
 *
 * @example
 * ```ts
 * productRegionStats(frame).brightness // 0.61
 * ```
 */
export function productRegionStats(rgba: Uint8Array, minAlpha = 250): RegionStats {
  const mask = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < mask.length; i++) mask[i] = rgba[i * 4 + 3]! >= minAlpha ? 1 : 0;
  return maskedRegionStats(rgba, mask);
}

/**
 * Statistics of the pixels of `rgba` where `mask` is 1: the product region of an opaque frame, told apart
 * from its background by `look/background-mask.ts`.
 */
export function maskedRegionStats(rgba: Uint8Array, mask: Uint8Array): RegionStats {
  if (mask.length * 4 !== rgba.length) {
    throw new Error(`mask of ${mask.length} pixels for an image of ${rgba.length / 4}`);
  }
  let pixels = 0;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 1) continue;
    pixels++;
    r += rgba[i * 4]!;
    g += rgba[i * 4 + 1]!;
    b += rgba[i * 4 + 2]!;
  }
  const scale = pixels > 0 ? 1 / (pixels * 255) : 0;
  const meanRgb: [number, number, number] = [r * scale, g * scale, b * scale];
  const sum = meanRgb[0] + meanRgb[1] + meanRgb[2];
  return {
    pixels,
    meanRgb,
    brightness: 0.2126 * meanRgb[0] + 0.7152 * meanRgb[1] + 0.0722 * meanRgb[2],
    chromaticity: sum > 0 ? [meanRgb[0] / sum, meanRgb[1] / sum, meanRgb[2] / sum] : [1 / 3, 1 / 3, 1 / 3],
  };
}

/** The mean of several frames' statistics, weighted by their pixel counts. */
export function mergeRegionStats(stats: RegionStats[]): RegionStats {
  const pixels = stats.reduce((sum, s) => sum + s.pixels, 0);
  const mean = (pick: (s: RegionStats) => number) =>
    pixels > 0 ? stats.reduce((sum, s) => sum + pick(s) * s.pixels, 0) / pixels : 0;
  const meanRgb: [number, number, number] = [
    mean((s) => s.meanRgb[0]),
    mean((s) => s.meanRgb[1]),
    mean((s) => s.meanRgb[2]),
  ];
  const sum = meanRgb[0] + meanRgb[1] + meanRgb[2];
  return {
    pixels,
    meanRgb,
    brightness: mean((s) => s.brightness),
    chromaticity: sum > 0 ? [meanRgb[0] / sum, meanRgb[1] / sum, meanRgb[2] / sum] : [1 / 3, 1 / 3, 1 / 3],
  };
}

/** How `ours` differs from `reference`. */
export interface LookDifference {
  /** ours ÷ reference brightness (1: equal). */
  brightnessRatio: number;
  /** Largest relative difference of the mean R, G or B (0.05: 5%). */
  colourDifference: number;
  /** Largest absolute difference of the chromaticity coordinates. */
  chromaticityDifference: number;
}

/** Compares two regions' statistics. Pure. */
export function compareLook(ours: RegionStats, reference: RegionStats): LookDifference {
  const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(b, 1e-6);
  return {
    brightnessRatio: ours.brightness / Math.max(reference.brightness, 1e-6),
    colourDifference: Math.max(...ours.meanRgb.map((value, i) => relative(value, reference.meanRgb[i]!))),
    chromaticityDifference: Math.max(
      ...ours.chromaticity.map((value, i) => Math.abs(value - reference.chromaticity[i]!)),
    ),
  };
}
