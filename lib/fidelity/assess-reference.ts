/**
 * Reference-photo fidelity: for one reference photo, the turntable view that matches it best and how well
 * it matches. Photo-search descriptors pick the candidate frames; silhouette IoU and SSIM of the aligned
 * views rank them; when a renderer is at hand the angle is refined between frames.
 */
import type { FidelityVerdict } from '../../crds/api.ts';
import { computeDescriptor, descriptorSimilarity } from '../image-descriptor/compute-descriptor.ts';
import { dominantColoursOfLinear, paletteDistance } from './dominant-colours.ts';
import {
  checkImage,
  type NormalisedBox,
  type ProductView,
  productView,
  type RgbaImage,
} from './product-view.ts';
import { ssim } from './ssim.ts';
import { type FidelityScores, type FidelityThresholds, judge } from './verdict.ts';

/** One rendered turntable frame. */
export interface TurntableFrame {
  /** Frame number (its file is `360/NNN.*`). */
  index: number;
  /** Turntable angle in degrees. */
  angleDeg: number;
  image: RgbaImage;
  /** Its photo-search descriptor from `descriptors.json`; computed from the image when absent. */
  descriptor?: ArrayLike<number>;
}

/** Options of {@link assessReference}. */
export interface AssessOptions {
  /** Frames the descriptors nominate (each with its two neighbours). Default 3. */
  candidates?: number;
  /**
   * Renders the product at any turntable angle and, when `elevationDeg` is given, from that camera elevation
   * (else the turntable's). When present, the best view is refined: the angle between frames by bisection,
   * then the elevation among {@link REFINE_ELEVATIONS}, then the angle once more (nine renders).
   */
  renderAt?: (angleDeg: number, elevationDeg?: number) => Promise<RgbaImage>;
  /** Verdict bounds; the calibrated {@link FIDELITY_THRESHOLDS} by default. */
  thresholds?: FidelityThresholds;
}

/** The fidelity of one reference photo. */
export interface ReferenceAssessment {
  /** Frame nearest the best angle. */
  bestFrame: number;
  /** Best angle in degrees; between frames when refined. */
  angleDeg: number;
  /** Camera elevation of the best view when refinement changed it from the turntable's. */
  elevationDeg?: number;
  closeUp: boolean;
  scores: FidelityScores;
  verdict: FidelityVerdict;
  reasons: string[];
  /** Where the aligned square lies in the photo and in the frame (normalised), for difference views. */
  alignment: { reference: NormalisedBox; frame: NormalisedBox };
}

/** A frame's view and palette, computed once per frame and shared between reference photos. */
interface PreparedFrame {
  index: number;
  angleDeg: number;
  view: ProductView;
  descriptor: ArrayLike<number>;
}

/** Everything the comparison of the photo with frames needs, prepared once. */
export interface PreparedTurntable {
  frames: PreparedFrame[];
}

/** Views and descriptors of every frame, for assessing several photos against one turntable. */
export function prepareTurntable(frames: TurntableFrame[]): PreparedTurntable {
  if (frames.length === 0) throw new RangeError('a turntable needs at least one frame');
  return {
    frames: frames.map((frame) => {
      checkImage(frame.image);
      const view = productView(frame.image);
      return {
        index: frame.index,
        angleDeg: frame.angleDeg,
        view,
        descriptor:
          frame.descriptor ?? computeDescriptor(frame.image.data, frame.image.width, frame.image.height),
      };
    }),
  };
}

/** Silhouette IoU and SSIM of two aligned views. */
export interface ViewComparison {
  iou: number;
  ssim: number;
}

/** Grey levels inside the mask standardised to mean 0.5 and spread 0.15 (exposure does not count). */
function standardised(view: ProductView): Float32Array {
  let sum = 0;
  let squares = 0;
  let count = 0;
  for (let i = 0; i < view.mask.length; i++) {
    if (!view.mask[i]) continue;
    sum += view.grey[i]!;
    squares += view.grey[i]! ** 2;
    count++;
  }
  const out = new Float32Array(view.mask.length).fill(0.5);
  if (count === 0) return out;
  const mean = sum / count;
  const spread = Math.sqrt(Math.max(squares / count - mean * mean, 1e-6));
  for (let i = 0; i < out.length; i++) {
    if (view.mask[i]) out[i] = Math.min(1, Math.max(0, 0.5 + (0.15 * (view.grey[i]! - mean)) / spread));
  }
  return out;
}

/**
 * Compares the shapes of two aligned views: IoU of their silhouettes and SSIM of their standardised grey
 * levels inside both silhouettes.
 */
export function compareShapes(reference: ProductView, frame: ProductView): ViewComparison {
  let intersection = 0;
  let union = 0;
  const shared = new Uint8Array(reference.mask.length);
  for (let i = 0; i < shared.length; i++) {
    const a = reference.mask[i]!;
    const b = frame.mask[i]!;
    if (a && b) {
      intersection++;
      shared[i] = 1;
    }
    if (a || b) union++;
  }
  return {
    iou: union === 0 ? 0 : intersection / union,
    ssim: ssim(standardised(reference), standardised(frame), reference.size, shared),
  };
}

/** Largest exposure correction applied to the photo's colours, either way. */
const MAX_GAIN = 4;

/**
 * CIEDE2000 distance between the dominant colours of two views, after scaling the photo's light so its mean
 * luminance equals the render's (a photo's exposure is not the product's colour): photo to render and back,
 * the larger; for a close-up only photo to render, since the photo shows part of the product.
 */
export function compareColours(reference: ProductView, frame: ProductView): number {
  const gain =
    reference.meanLuminance > 0
      ? Math.min(MAX_GAIN, Math.max(1 / MAX_GAIN, frame.meanLuminance / reference.meanLuminance))
      : 1;
  const ours = dominantColoursOfLinear(reference.linear, reference.colourMask, gain);
  const theirs = dominantColoursOfLinear(frame.linear, frame.colourMask);
  const forward = paletteDistance(ours, theirs);
  return reference.closeUp ? forward : Math.max(forward, paletteDistance(theirs, ours));
}

/** Camera elevations (degrees) tried when refining: photos are taken from level to well above. */
export const REFINE_ELEVATIONS = [0, 10, 20, 30, 40];

/** How one view ranks among candidates: the silhouette leads, structure breaks ties. */
const rank = (c: ViewComparison) => 0.6 * c.iou + 0.4 * c.ssim;

/**
 * Finds the turntable view that best matches a reference photo and scores the match.
 *
 * Guarantees: deterministic for the same pixels (without `renderAt`). Caveats: a product that is
 * mirror-symmetric matches a mirrored photo at the mirrored angle; an absolute scale error is invisible in
 * a photo (framing normalises it), only wrong proportions are seen.
 *
 * @example
 * ```ts
 * const turntable = prepareTurntable(frames);
 * const result = await assessReference(photo, turntable);
 * result.verdict; // 'Match'
 * ```
 */
export async function assessReference(
  reference: RgbaImage,
  turntable: PreparedTurntable,
  options: AssessOptions = {},
): Promise<ReferenceAssessment> {
  checkImage(reference);
  const view = productView(reference);
  const descriptor = computeDescriptor(reference.data, reference.width, reference.height);
  const frames = turntable.frames;
  const similarities = frames.map((frame) => descriptorSimilarity(descriptor, frame.descriptor));
  const order = frames.map((_, k) => k).sort((a, b) => similarities[b]! - similarities[a]!);
  const top = order.slice(0, Math.max(1, options.candidates ?? 3));

  let best = top[0]!;
  let comparison = compareShapes(view, frames[best]!.view);
  if (!view.closeUp) {
    const candidates = new Set<number>();
    for (const k of top) for (const d of [-1, 0, 1]) candidates.add((k + d + frames.length) % frames.length);
    for (const k of candidates) {
      const candidate = frames[k]!;
      const result = compareShapes(view, candidate.view);
      if (rank(result) > rank(comparison)) {
        best = k;
        comparison = result;
      }
    }
  }
  let angleDeg = frames[best]!.angleDeg;
  let bestView = frames[best]!.view;
  let elevationDeg: number | undefined;
  const renderAt = options.renderAt;
  if (renderAt && !view.closeUp && frames.length > 1) {
    const tryView = async (angle: number, elevation: number | undefined) => {
      const candidate = productView(await renderAt(angle, elevation));
      const result = compareShapes(view, candidate);
      if (rank(result) <= rank(comparison)) return;
      comparison = result;
      angleDeg = angle;
      elevationDeg = elevation;
      bestView = candidate;
    };
    const bisect = async (step: number) => {
      const centre = angleDeg;
      for (const direction of [-1, 1])
        await tryView((((centre + direction * step) % 360) + 360) % 360, elevationDeg);
    };
    const step = 360 / frames.length;
    await bisect(step / 2);
    const angle = angleDeg;
    for (const elevation of REFINE_ELEVATIONS) await tryView(angle, elevation);
    await bisect(step / 4);
  }
  const nearest = frames.reduce((a, b) =>
    angularDistance(b.angleDeg, angleDeg) < angularDistance(a.angleDeg, angleDeg) ? b : a,
  );
  const scores: FidelityScores = {
    colourDeltaE: round(compareColours(view, bestView), 2),
    descriptorSimilarity: round(similarities[frames.indexOf(nearest)]!, 4),
  };
  if (!view.closeUp) {
    scores.silhouetteIoU = round(comparison.iou, 4);
    scores.structuralSimilarity = round(comparison.ssim, 4);
  }
  const { verdict, reasons } = judge(scores, options.thresholds);
  return {
    bestFrame: nearest.index,
    angleDeg: round(angleDeg, 2),
    ...(elevationDeg === undefined ? {} : { elevationDeg }),
    closeUp: view.closeUp,
    scores,
    verdict,
    reasons,
    alignment: { reference: roundBox(view.crop), frame: roundBox(bestView.crop) },
  };
}

function angularDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return Math.min(d, 360 - d);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function roundBox(box: NormalisedBox): NormalisedBox {
  return box.map((value) => round(value, 4)) as NormalisedBox;
}
