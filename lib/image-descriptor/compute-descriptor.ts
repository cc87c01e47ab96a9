/**
 * The visual descriptor behind photo search: the renderer computes it for every turntable frame and the search
 * API for a shopper's photo, and the two are compared by cosine similarity (a dot product: vectors are unit
 * length). Both sides must run this one function, so a change of its output bumps {@link DESCRIPTOR_VERSION}.
 */
import { type PixelBox, segmentForeground } from './segment-foreground.ts';

/** Version of the descriptor function; stored in `descriptors.json` and checked by readers. */
export const DESCRIPTOR_VERSION = 'colour-shape-v3';

/** Side of the square grid the cropped product is resampled to. */
const GRID = 32;
/** Hue bins for saturated colours (soft-assigned, so neighbouring hues stay close). */
const HUE_BINS = 12;
/** Saturation bands for saturated colours. */
const SATURATION_BANDS = 2;
/** Bins for grey-ish pixels, by brightness relative to the product's mean brightness. */
const GREY_BINS = 4;
/** Side of the silhouette occupancy grid. */
const SHAPE_GRID = 16;
/** Side of the grid of edge-orientation histograms, and its orientation bins. */
const EDGE_CELLS = 4;
const EDGE_BINS = 8;
/** Side of the grid of mean chromaticities. */
const LAYOUT_CELLS = 4;

const COLOUR_DIMS = HUE_BINS * SATURATION_BANDS + GREY_BINS;
const SHAPE_DIMS = SHAPE_GRID * SHAPE_GRID;
const EDGE_DIMS = EDGE_CELLS * EDGE_CELLS * EDGE_BINS;
const LAYOUT_DIMS = LAYOUT_CELLS * LAYOUT_CELLS * 2;

/** Length of every descriptor. */
export const DESCRIPTOR_DIMS = COLOUR_DIMS + SHAPE_DIMS + EDGE_DIMS + LAYOUT_DIMS;

/** Relative weight of each block in the final vector. */
const WEIGHTS = { colour: 1, shape: 1, edges: 0.7, layout: 1 } as const;

/** Below this saturation (or this brightness, where hue is noise) a pixel counts as grey. */
const MIN_SATURATION = 0.2;
const MIN_CHROMA_VALUE = 40;

/** Thrown for an image buffer that does not match its stated size. */
export class DescriptorInputError extends Error {
  override name = 'DescriptorInputError';
  /** Stable code for logs and metrics. */
  readonly code = 'SHAZAM_DESCRIPTOR_INPUT';
}

/** The product resampled into a GRID×GRID square: foreground share and mean foreground colour per cell. */
interface ProductGrid {
  coverage: Float32Array;
  rgb: Float32Array;
  /** Hue/saturation/brightness of every foreground sample, for the colour histogram. */
  samples: { hue: number[]; saturation: number[]; value: number[] };
}

function squareAround(box: PixelBox): { x: number; y: number; side: number } {
  const side = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  // Centring the box in a square keeps the product's aspect ratio as part of its shape.
  return { x: (box.x0 + box.x1 - side) / 2, y: (box.y0 + box.y1 - side) / 2, side };
}

function sampleProduct(
  rgba: Uint8Array,
  width: number,
  height: number,
  box: PixelBox,
  isForeground: (rgba: Uint8Array, offset: number, x: number, y: number) => boolean,
): ProductGrid {
  const { x: sx, y: sy, side } = squareAround(box);
  const cell = side / GRID;
  const inner = Math.max(1, Math.floor(cell / 4));
  const coverage = new Float32Array(GRID * GRID);
  const rgb = new Float32Array(GRID * GRID * 3);
  const samples = { hue: [] as number[], saturation: [] as number[], value: [] as number[] };
  for (let gy = 0; gy < GRID; gy++) {
    const yStart = Math.floor(sy + gy * cell);
    const yEnd = Math.max(yStart + 1, Math.floor(sy + (gy + 1) * cell));
    for (let gx = 0; gx < GRID; gx++) {
      const xStart = Math.floor(sx + gx * cell);
      const xEnd = Math.max(xStart + 1, Math.floor(sx + (gx + 1) * cell));
      let total = 0;
      let inside = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = yStart; y < yEnd; y += inner) {
        for (let x = xStart; x < xEnd; x += inner) {
          total++;
          // Padding outside the image counts as background.
          if (x < 0 || y < 0 || x >= width || y >= height) continue;
          const o = (y * width + x) * 4;
          if (!isForeground(rgba, o, x, y)) continue;
          inside++;
          const pr = rgba[o]!;
          const pg = rgba[o + 1]!;
          const pb = rgba[o + 2]!;
          r += pr;
          g += pg;
          b += pb;
          const max = Math.max(pr, pg, pb);
          const min = Math.min(pr, pg, pb);
          const delta = max - min;
          let hue = 0;
          if (delta > 0) {
            if (max === pr) hue = ((pg - pb) / delta + 6) % 6;
            else if (max === pg) hue = (pb - pr) / delta + 2;
            else hue = (pr - pg) / delta + 4;
          }
          samples.hue.push(hue / 6);
          samples.saturation.push(max > 0 ? delta / max : 0);
          samples.value.push(max);
        }
      }
      const c = gy * GRID + gx;
      coverage[c] = total > 0 ? inside / total : 0;
      if (inside > 0) {
        rgb[c * 3] = r / inside;
        rgb[c * 3 + 1] = g / inside;
        rgb[c * 3 + 2] = b / inside;
      }
    }
  }
  return { coverage, rgb, samples };
}

function normalise(block: Float32Array): Float32Array {
  let sum = 0;
  for (const x of block) sum += x * x;
  if (sum === 0) return block;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < block.length; i++) block[i]! *= scale;
  return block;
}

function colourHistogram(samples: ProductGrid['samples']): Float32Array {
  const histogram = new Float32Array(COLOUR_DIMS);
  const count = samples.value.length;
  if (count === 0) return histogram;
  let meanValue = 0;
  for (const value of samples.value) meanValue += value;
  meanValue = Math.max(1, meanValue / count);
  for (let i = 0; i < count; i++) {
    const saturation = samples.saturation[i]!;
    const value = samples.value[i]!;
    if (saturation < MIN_SATURATION || value < MIN_CHROMA_VALUE) {
      // Brightness relative to the product's own mean, so a darker photo lands in the same bins.
      const relative = value / meanValue;
      const position = Math.min(GREY_BINS - 1, Math.max(0, (relative / 1.6) * GREY_BINS - 0.5));
      const low = Math.floor(position);
      const high = Math.min(GREY_BINS - 1, low + 1);
      const frac = position - low;
      histogram[HUE_BINS * SATURATION_BANDS + low]! += 1 - frac;
      histogram[HUE_BINS * SATURATION_BANDS + high]! += frac;
      continue;
    }
    const band = saturation < 0.5 ? 0 : 1;
    const position = samples.hue[i]! * HUE_BINS - 0.5;
    const low = Math.floor(position);
    const frac = position - low;
    histogram[band * HUE_BINS + ((low + HUE_BINS) % HUE_BINS)]! += 1 - frac;
    histogram[band * HUE_BINS + ((low + 1) % HUE_BINS)]! += frac;
  }
  // Square roots (the Hellinger kernel) keep one dominant colour from drowning the others.
  for (let i = 0; i < histogram.length; i++) histogram[i] = Math.sqrt(histogram[i]! / count);
  return normalise(histogram);
}

function shapeGrid(coverage: Float32Array): Float32Array {
  const block = new Float32Array(SHAPE_DIMS);
  const pool = GRID / SHAPE_GRID;
  for (let gy = 0; gy < GRID; gy++) {
    for (let gx = 0; gx < GRID; gx++) {
      block[Math.floor(gy / pool) * SHAPE_GRID + Math.floor(gx / pool)]! +=
        coverage[gy * GRID + gx]! / (pool * pool);
    }
  }
  return normalise(block);
}

function luminanceMap(grid: ProductGrid): Float32Array {
  const luminance = new Float32Array(GRID * GRID);
  let sum = 0;
  let weight = 0;
  for (let c = 0; c < GRID * GRID; c++) {
    const value = 0.299 * grid.rgb[c * 3]! + 0.587 * grid.rgb[c * 3 + 1]! + 0.114 * grid.rgb[c * 3 + 2]!;
    luminance[c] = value;
    sum += value * grid.coverage[c]!;
    weight += grid.coverage[c]!;
  }
  const mean = weight > 0 && sum > 0 ? sum / weight : 1;
  // Background is zero whatever its colour, and the product is scaled to mean 1, so edges ignore both the
  // backdrop and the exposure.
  for (let c = 0; c < luminance.length; c++) luminance[c] = (luminance[c]! / mean) * grid.coverage[c]!;
  return luminance;
}

function edgeHistograms(luminance: Float32Array): Float32Array {
  const block = new Float32Array(EDGE_DIMS);
  const at = (x: number, y: number): number =>
    luminance[Math.min(GRID - 1, Math.max(0, y)) * GRID + Math.min(GRID - 1, Math.max(0, x))]!;
  const cellSide = GRID / EDGE_CELLS;
  for (let y = 0; y < GRID; y++) {
    for (let x = 0; x < GRID; x++) {
      const gx =
        at(x + 1, y - 1) +
        2 * at(x + 1, y) +
        at(x + 1, y + 1) -
        at(x - 1, y - 1) -
        2 * at(x - 1, y) -
        at(x - 1, y + 1);
      const gy =
        at(x - 1, y + 1) +
        2 * at(x, y + 1) +
        at(x + 1, y + 1) -
        at(x - 1, y - 1) -
        2 * at(x, y - 1) -
        at(x + 1, y - 1);
      const magnitude = Math.sqrt(gx * gx + gy * gy);
      if (magnitude === 0) continue;
      // Unsigned orientation: an edge reads the same whether the product is lighter or darker than its side.
      const angle = (Math.atan2(gy, gx) + Math.PI) % Math.PI;
      const position = (angle / Math.PI) * EDGE_BINS - 0.5;
      const low = Math.floor(position);
      const frac = position - low;
      const cell = (Math.floor(y / cellSide) * EDGE_CELLS + Math.floor(x / cellSide)) * EDGE_BINS;
      block[cell + ((low + EDGE_BINS) % EDGE_BINS)]! += magnitude * (1 - frac);
      block[cell + ((low + 1) % EDGE_BINS)]! += magnitude * frac;
    }
  }
  for (let i = 0; i < block.length; i++) block[i] = Math.sqrt(block[i]!);
  return normalise(block);
}

function chromaLayout(grid: ProductGrid): Float32Array {
  const block = new Float32Array(LAYOUT_DIMS);
  const weights = new Float32Array(LAYOUT_CELLS * LAYOUT_CELLS);
  const cellSide = GRID / LAYOUT_CELLS;
  for (let y = 0; y < GRID; y++) {
    for (let x = 0; x < GRID; x++) {
      const c = y * GRID + x;
      const coverage = grid.coverage[c]!;
      const sum = grid.rgb[c * 3]! + grid.rgb[c * 3 + 1]! + grid.rgb[c * 3 + 2]!;
      if (coverage === 0 || sum < 30) continue;
      const cell = Math.floor(y / cellSide) * LAYOUT_CELLS + Math.floor(x / cellSide);
      // Chromaticity (r and g over the sum) does not change when the exposure does.
      block[cell * 2]! += coverage * (grid.rgb[c * 3]! / sum - 1 / 3);
      block[cell * 2 + 1]! += coverage * (grid.rgb[c * 3 + 1]! / sum - 1 / 3);
      weights[cell]! += coverage;
    }
  }
  // Left unnormalised on purpose: a grey product has near-zero chromaticity, and scaling that up is noise.
  for (let cell = 0; cell < weights.length; cell++) {
    const weight = weights[cell]!;
    if (weight === 0) continue;
    block[cell * 2] = Math.max(-1, Math.min(1, (block[cell * 2]! / weight) * 3));
    block[cell * 2 + 1] = Math.max(-1, Math.min(1, (block[cell * 2 + 1]! / weight) * 3));
  }
  return block;
}

/**
 * Computes the photo-search descriptor of an RGBA image (row-major, 8 bits per channel, as `sharp`'s
 * `.ensureAlpha().raw()` or a GPU read-back gives): the product is segmented from its background and cropped to
 * a square around it, then described by a colour histogram, its silhouette, edge orientations and a coarse
 * colour layout, each block normalised and the whole vector scaled to unit length.
 *
 * Guarantees: pure and deterministic (same pixels, same vector, on every platform); {@link DESCRIPTOR_DIMS}
 * long; unit length unless the image is blank. Largely unaffected by the backdrop's colour or gradient, by
 * crop and scale (as long as the product is whole), and by uniform brightness changes.
 * Caveats: it describes one view; match a photo against every turntable frame and keep the best.
 *
 * @example
 * ```ts
 * const { data, info } = await sharp(photo).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
 * const vector = computeDescriptor(data, info.width, info.height);
 * ```
 */
export function computeDescriptor(rgba: Uint8Array, width: number, height: number): Float32Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DescriptorInputError(`image size ${width}×${height} is not a pair of positive integers`);
  }
  if (rgba.length !== width * height * 4) {
    throw new DescriptorInputError(
      `RGBA buffer holds ${rgba.length} bytes but a ${width}×${height} image needs ${width * height * 4}; ` +
        'pass 4 bytes per pixel (ensureAlpha() before raw())',
    );
  }
  const segmentation = segmentForeground(rgba, width, height);
  const grid = sampleProduct(rgba, width, height, segmentation.box, segmentation.model.isForeground);
  const blocks: Array<[Float32Array, number]> = [
    [colourHistogram(grid.samples), WEIGHTS.colour],
    [shapeGrid(grid.coverage), WEIGHTS.shape],
    [edgeHistograms(luminanceMap(grid)), WEIGHTS.edges],
    [chromaLayout(grid), WEIGHTS.layout],
  ];
  const vector = new Float32Array(DESCRIPTOR_DIMS);
  let offset = 0;
  for (const [block, weight] of blocks) {
    for (let i = 0; i < block.length; i++) vector[offset + i] = block[i]! * weight;
    offset += block.length;
  }
  return normalise(vector);
}

/** Cosine similarity of two unit-length descriptors (their dot product), in [-1, 1]. */
export function descriptorSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) dot += a[i]! * b[i]!;
  return dot;
}
