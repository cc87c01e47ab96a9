/**
 * The dominant colours of a product: k-means in CIELAB over its pixels, with a deterministic start
 * (farthest-point seeding from the mean), so the same pixels always give the same palette.
 */
import { ciede2000, type DeltaEWeights, type Lab, linearToLab } from './colour.ts';

/** One dominant colour and the share of the product it covers. */
export interface PaletteColour {
  lab: Lab;
  weight: number;
}

/** Clusters looked for. */
const CLUSTERS = 4;
/** Lloyd iterations. */
const ITERATIONS = 12;
/** Clusters covering less than this share of the product are dropped (highlights, seams). */
const MIN_WEIGHT = 0.05;

/** Lightness counts half as much as hue and chroma: photo and render are exposed and lit differently. */
export const PALETTE_WEIGHTS: DeltaEWeights = { kL: 2, kC: 1, kH: 1 };

function squared(lab: Float32Array, i: number, centre: Float64Array, c: number): number {
  const dL = lab[i * 3]! - centre[c * 3]!;
  const da = lab[i * 3 + 1]! - centre[c * 3 + 1]!;
  const db = lab[i * 3 + 2]! - centre[c * 3 + 2]!;
  return dL * dL + da * da + db * db;
}

/**
 * The dominant colours of the pixels where `mask` is set (`lab` holds three numbers per pixel), heaviest
 * first, weights summing to 1. Empty when the mask is.
 *
 * @example
 * ```ts
 * dominantColours(view.lab, view.mask); // [{ lab: { L: 78, a: -18, b: 2 }, weight: 0.52 }, …]
 * ```
 */
export function dominantColours(lab: Float32Array, mask: Uint8Array): PaletteColour[] {
  const pixels: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) pixels.push(i);
  return clusterPixels(lab, pixels);
}

/**
 * The dominant colours of a linear-light RGB view (three numbers per pixel) where `mask` is set, after
 * scaling its light by `gain` (an exposure correction; values clip at white).
 */
export function dominantColoursOfLinear(linear: Float32Array, mask: Uint8Array, gain = 1): PaletteColour[] {
  const lab = new Float32Array(linear.length);
  const pixels: number[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const colour = linearToLab(
      Math.min(1, linear[i * 3]! * gain),
      Math.min(1, linear[i * 3 + 1]! * gain),
      Math.min(1, linear[i * 3 + 2]! * gain),
    );
    lab[i * 3] = colour.L;
    lab[i * 3 + 1] = colour.a;
    lab[i * 3 + 2] = colour.b;
    pixels.push(i);
  }
  return clusterPixels(lab, pixels);
}

function clusterPixels(lab: Float32Array, pixels: number[]): PaletteColour[] {
  if (pixels.length === 0) return [];
  const k = Math.min(CLUSTERS, pixels.length);
  const centres = new Float64Array(k * 3);
  // Seed: the pixel farthest from the mean, then repeatedly the pixel farthest from every seed so far.
  const mean = new Float64Array(3);
  for (const i of pixels) for (let d = 0; d < 3; d++) mean[d]! += lab[i * 3 + d]! / pixels.length;
  const farthest = (distanceOf: (n: number, i: number) => number): number => {
    let best = pixels[0]!;
    let bestDistance = -1;
    for (const [n, i] of pixels.entries()) {
      const distance = distanceOf(n, i);
      if (distance > bestDistance) {
        bestDistance = distance;
        best = i;
      }
    }
    return best;
  };
  const nearest = new Float64Array(pixels.length).fill(Number.POSITIVE_INFINITY);
  let seed = farthest((_n, i) => squared(lab, i, mean, 0));
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < 3; d++) centres[c * 3 + d] = lab[seed * 3 + d]!;
    for (const [n, i] of pixels.entries()) nearest[n] = Math.min(nearest[n]!, squared(lab, i, centres, c));
    seed = farthest((n) => nearest[n]!);
  }
  const assignment = new Int32Array(pixels.length);
  const sums = new Float64Array(k * 4);
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    sums.fill(0);
    for (const [n, i] of pixels.entries()) {
      let best = 0;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const distance = squared(lab, i, centres, c);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = c;
        }
      }
      assignment[n] = best;
      for (let d = 0; d < 3; d++) sums[best * 4 + d]! += lab[i * 3 + d]!;
      sums[best * 4 + 3]!++;
    }
    for (let c = 0; c < k; c++) {
      const count = sums[c * 4 + 3]!;
      if (count === 0) continue;
      for (let d = 0; d < 3; d++) centres[c * 3 + d] = sums[c * 4 + d]! / count;
    }
  }
  const palette: PaletteColour[] = [];
  for (let c = 0; c < k; c++) {
    const weight = sums[c * 4 + 3]! / pixels.length;
    if (weight < MIN_WEIGHT) continue;
    palette.push({ lab: { L: centres[c * 3]!, a: centres[c * 3 + 1]!, b: centres[c * 3 + 2]! }, weight });
  }
  const total = palette.reduce((sum, colour) => sum + colour.weight, 0);
  for (const colour of palette) colour.weight /= total;
  return palette.sort((x, y) => y.weight - x.weight);
}

/** Colours covering at least this share of the product are dominant: each must be found in the other view. */
export const DOMINANT_WEIGHT = 0.2;

/**
 * How far `from`'s dominant colours are from `to`'s: each colour of `from` covering at least
 * {@link DOMINANT_WEIGHT} of the product is matched to its nearest colour of `to` by CIEDE2000
 * ({@link PALETTE_WEIGHTS}); the worst match counts, so one wrong colour among right ones is not averaged
 * away.
 */
export function paletteDistance(from: PaletteColour[], to: PaletteColour[]): number {
  if (from.length === 0 || to.length === 0) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (const colour of from) {
    if (colour.weight < DOMINANT_WEIGHT && colour !== from[0]) continue;
    let best = Number.POSITIVE_INFINITY;
    for (const other of to) best = Math.min(best, ciede2000(colour.lab, other.lab, PALETTE_WEIGHTS));
    worst = Math.max(worst, best);
  }
  return worst;
}
