/**
 * A product cut out of a photo or a turntable frame and aligned for comparison: segmented from its
 * background (lib/image-descriptor's segmentation), cropped to a square centred on its bounding box whose
 * side is the box's longer side plus a margin, and resampled to a small fixed size. Two views of the same
 * product from the same angle then line up whatever the photo's framing and scale.
 */

import { srgbToLinear } from './colour.ts';
import { type PixelBox, segmentForeground } from './segment-silhouette.ts';

/** An RGBA image, row-major, 8 bits per channel. */
export interface RgbaImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Side of the aligned view in pixels. */
export const VIEW_SIZE = 128;
/** Margin around the product's box, as a share of its longer side, on each side. */
const MARGIN = 0.06;
/** Sub-samples per view pixel along each axis. */
const SUBSAMPLES = 3;
/** A box edge closer than this share of the image to the border touches it. */
const EDGE_TOUCH = 0.01;
/** A box covering this share of the image (or cut by two borders) is a detail shot. */
const CLOSE_UP_AREA = 0.85;

/** A region of the source image, normalised to 0–1: `[x0, y0, x1, y1]`. */
export type NormalisedBox = [number, number, number, number];

/** The aligned product. */
export interface ProductView {
  /** Side of the square view. */
  size: number;
  /** 1 where the product is, row-major (holes inside it filled). */
  mask: Uint8Array;
  /** 1 where the product's own colour was seen (the mask without the filled holes). */
  colourMask: Uint8Array;
  /** CIE L* / 100 of the product (0 elsewhere). */
  grey: Float32Array;
  /** Linear-light RGB (0–1) of the product, three numbers per pixel (0 elsewhere). */
  linear: Float32Array;
  /** Mean linear luminance Y of the product (0–1). */
  meanLuminance: number;
  /** Width over height of the product's bounding box in the source image. */
  aspect: number;
  /** The square cut out of the source, normalised to its size (may reach past its borders). */
  crop: NormalisedBox;
  /** Whether the source is a detail shot: nothing stood out, or the product fills or is cut by the frame. */
  closeUp: boolean;
}

/** Thrown for an RGBA buffer that does not match its stated size. */
export class FidelityInputError extends Error {
  override name = 'FidelityInputError';
  /** Stable code for logs and metrics. */
  readonly code = 'SHAZAM_FIDELITY_INPUT';
}

/** Checks that an image's buffer holds width × height RGBA pixels. */
export function checkImage(image: RgbaImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new FidelityInputError(`image size ${width}×${height} is not a pair of positive integers`);
  }
  if (data.length !== width * height * 4) {
    throw new FidelityInputError(
      `RGBA buffer holds ${data.length} bytes but a ${width}×${height} image needs ${width * height * 4}`,
    );
  }
}

function isCloseUp(box: PixelBox, width: number, height: number, found: boolean): boolean {
  if (!found) return true;
  const touches = [
    box.x0 <= width * EDGE_TOUCH,
    box.y0 <= height * EDGE_TOUCH,
    box.x1 >= width * (1 - EDGE_TOUCH),
    box.y1 >= height * (1 - EDGE_TOUCH),
  ].filter(Boolean).length;
  const area = ((box.x1 - box.x0) * (box.y1 - box.y0)) / (width * height);
  return touches >= 2 || area >= CLOSE_UP_AREA;
}

function luminance(r: number, g: number, b: number): number {
  return 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
}

/** CIE L* / 100 of a linear luminance. */
function lightness(y: number): number {
  return y > (6 / 29) ** 3 ? (116 * Math.cbrt(y) - 16) / 100 : (903.3 * y) / 100;
}

/** Sets background pixels that the crop's border cannot reach (holes inside the product) to product. */
function fillHoles(mask: Uint8Array, size: number): void {
  const outside = new Uint8Array(size * size);
  const queue: number[] = [];
  const visit = (i: number) => {
    if (mask[i] || outside[i]) return;
    outside[i] = 1;
    queue.push(i);
  };
  for (let i = 0; i < size; i++) {
    visit(i);
    visit((size - 1) * size + i);
    visit(i * size);
    visit(i * size + size - 1);
  }
  while (queue.length > 0) {
    const i = queue.pop()!;
    const x = i % size;
    const y = (i - x) / size;
    if (x > 0) visit(i - 1);
    if (x < size - 1) visit(i + 1);
    if (y > 0) visit(i - size);
    if (y < size - 1) visit(i + size);
  }
  for (let i = 0; i < mask.length; i++) if (!outside[i]) mask[i] = 1;
}

/**
 * Segments the product in `image` and returns it aligned: a square crop around its bounding box resampled
 * to `size`² with its silhouette, CIELAB colours and grey levels. `mirror` flips the source left to right
 * first. Pure and deterministic.
 *
 * @example
 * ```ts
 * const view = productView({ data, width: info.width, height: info.height });
 * ```
 */
export function productView(image: RgbaImage, size = VIEW_SIZE, mirror = false): ProductView {
  checkImage(image);
  const { data, width, height } = image;
  const segmentation = segmentForeground(data, width, height);
  const { box, model, found } = segmentation;
  const boxWidth = box.x1 - box.x0;
  const boxHeight = box.y1 - box.y0;
  const side = Math.max(boxWidth, boxHeight) * (1 + 2 * MARGIN);
  const left = (box.x0 + box.x1 - side) / 2;
  const top = (box.y0 + box.y1 - side) / 2;
  const mask = new Uint8Array(size * size);
  const grey = new Float32Array(size * size);
  const linear = new Float32Array(size * size * 3);
  const step = side / size / SUBSAMPLES;
  const needed = Math.ceil((SUBSAMPLES * SUBSAMPLES) / 2);
  for (let vy = 0; vy < size; vy++) {
    for (let vx = 0; vx < size; vx++) {
      let inside = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        const y = Math.floor(top + (vy * SUBSAMPLES + sy + 0.5) * step);
        if (y < 0 || y >= height) continue;
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          const column = vx * SUBSAMPLES + sx;
          const x = Math.floor(left + ((mirror ? size * SUBSAMPLES - 1 - column : column) + 0.5) * step);
          if (x < 0 || x >= width) continue;
          const offset = (y * width + x) * 4;
          if (!model.isForeground(data, offset, x, y)) continue;
          inside++;
          r += srgbToLinear(data[offset]!);
          g += srgbToLinear(data[offset + 1]!);
          b += srgbToLinear(data[offset + 2]!);
        }
      }
      if (inside < needed) continue;
      const p = vy * size + vx;
      mask[p] = 1;
      linear[p * 3] = r / inside;
      linear[p * 3 + 1] = g / inside;
      linear[p * 3 + 2] = b / inside;
      grey[p] = lightness(luminance(r / inside, g / inside, b / inside));
    }
  }
  // Holes (background-coloured parts inside the product) count for the silhouette, not for the colours.
  const colourMask = mask.slice();
  fillHoles(mask, size);
  let luminanceSum = 0;
  let coloured = 0;
  for (let p = 0; p < colourMask.length; p++) {
    if (!colourMask[p]) continue;
    luminanceSum += luminance(linear[p * 3]!, linear[p * 3 + 1]!, linear[p * 3 + 2]!);
    coloured++;
  }
  const crop: NormalisedBox = [left / width, top / height, (left + side) / width, (top + side) / height];
  if (mirror) {
    crop[0] = 1 - (left + side) / width;
    crop[2] = 1 - left / width;
  }
  return {
    size,
    mask,
    colourMask,
    grey,
    linear,
    meanLuminance: coloured > 0 ? luminanceSum / coloured : 0,
    aspect: boxHeight > 0 ? boxWidth / boxHeight : 1,
    crop,
    closeUp: isCloseUp(box, width, height, found),
  };
}
