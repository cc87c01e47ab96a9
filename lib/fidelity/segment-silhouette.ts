/**
 * The flat-backdrop foreground model the fidelity scores were calibrated on: a per-pixel silhouette of a
 * product photographed or rendered on a plain or linearly shaded backdrop.
 */
/**
 * Separates a product from the background of a photo or a rendered frame, without a model: the background is
 * what the image border shows, fitted as a colour gradient so that studio sweeps and vignetting count as
 * background too.
 */

/** A rectangle in pixel coordinates; `x1`/`y1` are exclusive. */
export interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Decides, for one pixel, whether it belongs to the product. */
export interface ForegroundModel {
  /**
   * True when the pixel at (`x`, `y`) whose RGBA starts at `offset` in the image is part of the product.
   */
  isForeground(rgba: Uint8Array, offset: number, x: number, y: number): boolean;
}

/** What {@link segmentForeground} found. */
export interface Segmentation {
  /** The per-pixel classifier, reusable on the full-resolution image. */
  model: ForegroundModel;
  /** Tight box around the product; the whole image when no product stands out from the background. */
  box: PixelBox;
  /** False when nothing stood out and the whole image is treated as the product. */
  found: boolean;
}

/** Longer side of the coarse grid the background is estimated on; bounds the cost for large photos. */
const GRID_SIDE = 192;
/** Width of the border ring, in grid cells, that shows the background. */
const BORDER_CELLS = 2;
/** Smallest colour distance (0–255 RGB, Euclidean) that separates product from background. */
const MIN_THRESHOLD = 30;
/** Share of the foreground mass trimmed on each side of the box, so that specks do not widen it. */
const TRIM = 0.005;

interface Grid {
  step: number;
  width: number;
  height: number;
  /** Mean R, G, B, A per cell (0–255), interleaved. */
  cells: Float32Array;
}

function buildGrid(rgba: Uint8Array, width: number, height: number): Grid {
  const step = Math.max(1, Math.ceil(Math.max(width, height) / GRID_SIDE));
  const gridWidth = Math.ceil(width / step);
  const gridHeight = Math.ceil(height / step);
  const cells = new Float32Array(gridWidth * gridHeight * 4);
  // Averaging a few samples per cell rather than every pixel keeps a 4000 px photo cheap.
  const inner = Math.max(1, Math.floor(step / 4));
  for (let gy = 0; gy < gridHeight; gy++) {
    const yEnd = Math.min(height, (gy + 1) * step);
    for (let gx = 0; gx < gridWidth; gx++) {
      const xEnd = Math.min(width, (gx + 1) * step);
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      let n = 0;
      for (let y = gy * step; y < yEnd; y += inner) {
        for (let x = gx * step; x < xEnd; x += inner) {
          const o = (y * width + x) * 4;
          r += rgba[o]!;
          g += rgba[o + 1]!;
          b += rgba[o + 2]!;
          a += rgba[o + 3]!;
          n++;
        }
      }
      const c = (gy * gridWidth + gx) * 4;
      cells[c] = r / n;
      cells[c + 1] = g / n;
      cells[c + 2] = b / n;
      cells[c + 3] = a / n;
    }
  }
  return { step, width: gridWidth, height: gridHeight, cells };
}

/** Least-squares plane `c0 + c1·u + c2·v` per channel through the given samples. */
function fitPlanes(samples: ReadonlyArray<[number, number, number, number, number]>): number[][] {
  const m = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const rhs = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (const [u, v, r, g, b] of samples) {
    const basis = [1, u, v];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) m[i * 3 + j]! += basis[i]! * basis[j]!;
      rhs[0]![i]! += basis[i]! * r;
      rhs[1]![i]! += basis[i]! * g;
      rhs[2]![i]! += basis[i]! * b;
    }
  }
  return rhs.map((vector) => solve3(m, vector));
}

/** Solves a 3×3 system by Cramer's rule; a singular system (all samples on a line) falls back to the mean. */
function solve3(m: number[], b: number[]): number[] {
  const [a, bb, c, d, e, f, g, h, i] = m as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const det = a * (e * i - f * h) - bb * (d * i - f * g) + c * (d * h - e * g);
  const [b0, b1, b2] = b as [number, number, number];
  if (Math.abs(det) < 1e-9) return [a > 0 ? b0 / a : 0, 0, 0];
  return [
    (b0 * (e * i - f * h) - bb * (b1 * i - f * b2) + c * (b1 * h - e * b2)) / det,
    (a * (b1 * i - f * b2) - b0 * (d * i - f * g) + c * (d * b2 - b1 * g)) / det,
    (a * (e * b2 - b1 * h) - bb * (d * b2 - b1 * g) + b0 * (d * h - e * g)) / det,
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function backgroundModel(grid: Grid, imageWidth: number, imageHeight: number): ForegroundModel {
  const border: Array<[number, number, number, number, number]> = [];
  let transparent = 0;
  for (let gy = 0; gy < grid.height; gy++) {
    for (let gx = 0; gx < grid.width; gx++) {
      const onBorder =
        gx < BORDER_CELLS ||
        gy < BORDER_CELLS ||
        gx >= grid.width - BORDER_CELLS ||
        gy >= grid.height - BORDER_CELLS;
      if (!onBorder) continue;
      const c = (gy * grid.width + gx) * 4;
      if (grid.cells[c + 3]! < 128) transparent++;
      border.push([
        (gx + 0.5) / grid.width,
        (gy + 0.5) / grid.height,
        grid.cells[c]!,
        grid.cells[c + 1]!,
        grid.cells[c + 2]!,
      ]);
    }
  }
  // A render on a transparent background says exactly where the product is.
  if (transparent > border.length / 4) {
    return { isForeground: (rgba, offset) => rgba[offset + 3]! >= 128 };
  }
  let planes = fitPlanes(border);
  const residual = (s: [number, number, number, number, number], p: number[][]): number => {
    const [u, v, r, g, b] = s;
    const dr = r - (p[0]![0]! + p[0]![1]! * u + p[0]![2]! * v);
    const dg = g - (p[1]![0]! + p[1]![1]! * u + p[1]![2]! * v);
    const db = b - (p[2]![0]! + p[2]![1]! * u + p[2]![2]! * v);
    return Math.sqrt(dr * dr + dg * dg + db * db);
  };
  // The product may touch the border (a tight crop): refit on the border cells that agree with the first fit.
  for (let round = 0; round < 2; round++) {
    const residuals = border.map((s) => residual(s, planes));
    const cut = median(residuals);
    const inliers = border.filter((_, index) => residuals[index]! <= cut);
    if (inliers.length >= 3) planes = fitPlanes(inliers);
  }
  const residuals = border.map((s) => residual(s, planes));
  const cut = median(residuals);
  const inlierResiduals = residuals.filter((r) => r <= cut);
  const noise = 1.4826 * median(inlierResiduals);
  const threshold = Math.max(MIN_THRESHOLD, 4 * noise);
  const limit = threshold * threshold;
  const [pr, pg, pb] = planes as [number[], number[], number[]];
  const invWidth = 1 / imageWidth;
  const invHeight = 1 / imageHeight;
  return {
    isForeground(rgba, offset, x, y) {
      if (rgba[offset + 3]! < 128) return false;
      const u = (x + 0.5) * invWidth;
      const v = (y + 0.5) * invHeight;
      const dr = rgba[offset]! - (pr[0]! + pr[1]! * u + pr[2]! * v);
      const dg = rgba[offset + 1]! - (pg[0]! + pg[1]! * u + pg[2]! * v);
      const db = rgba[offset + 2]! - (pb[0]! + pb[1]! * u + pb[2]! * v);
      return dr * dr + dg * dg + db * db > limit;
    },
  };
}

/** Index range holding all but `trim` of the mass on each side of a histogram. */
function trimmedRange(histogram: Float64Array, trim: number): [number, number] {
  let total = 0;
  for (const value of histogram) total += value;
  const cut = total * trim;
  let start = 0;
  let acc = 0;
  while (start < histogram.length - 1 && acc + histogram[start]! <= cut) acc += histogram[start++]!;
  let end = histogram.length - 1;
  acc = 0;
  while (end > start && acc + histogram[end]! <= cut) acc += histogram[end--]!;
  return [start, end + 1];
}

/**
 * Finds the product in an RGBA image: estimates the background from the border (alpha when the border is
 * transparent, else a per-channel colour gradient fitted robustly to the border ring) and boxes the pixels
 * that differ from it.
 *
 * Assumptions: the product is roughly centred and at least half of the border shows background.
 * Caveats: a product of the background's own colour is found only by its shading and outline.
 *
 * @example
 * ```ts
 * const { box } = segmentForeground(rgba, 1024, 1024); // {x0: 212, y0: 96, x1: 830, y1: 950}
 * ```
 */
export function segmentForeground(rgba: Uint8Array, width: number, height: number): Segmentation {
  const grid = buildGrid(rgba, width, height);
  const model = backgroundModel(grid, width, height);
  const columns = new Float64Array(grid.width);
  const rows = new Float64Array(grid.height);
  const probe = new Uint8Array(4);
  let count = 0;
  for (let gy = 0; gy < grid.height; gy++) {
    for (let gx = 0; gx < grid.width; gx++) {
      const c = (gy * grid.width + gx) * 4;
      probe[0] = grid.cells[c]!;
      probe[1] = grid.cells[c + 1]!;
      probe[2] = grid.cells[c + 2]!;
      probe[3] = grid.cells[c + 3]!;
      const x = Math.min(width - 1, gx * grid.step + grid.step / 2);
      const y = Math.min(height - 1, gy * grid.step + grid.step / 2);
      if (model.isForeground(probe, 0, x, y)) {
        columns[gx]!++;
        rows[gy]!++;
        count++;
      }
    }
  }
  const whole: PixelBox = { x0: 0, y0: 0, x1: width, y1: height };
  // Too few cells to be a product: noise, or a close-up that has no background at all.
  if (count < Math.max(4, grid.width * grid.height * 0.002)) {
    return { model: { isForeground: () => true }, box: whole, found: false };
  }
  const [cx0, cx1] = trimmedRange(columns, TRIM);
  const [cy0, cy1] = trimmedRange(rows, TRIM);
  return {
    model,
    box: {
      x0: cx0 * grid.step,
      y0: cy0 * grid.step,
      x1: Math.min(width, cx1 * grid.step),
      y1: Math.min(height, cy1 * grid.step),
    },
    found: true,
  };
}
