/**
 * Separates a product from the background of a photo or a rendered frame, without a model: the background is
 * what the image border shows and what can be reached from it through smooth colour changes, so studio
 * sweeps, radial gradients, vignetting, textured backdrops and gradual shadows count as background too.
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
/**
 * Bounds of the colour step (0–255 RGB, Euclidean, between neighbouring smoothed cells) the backdrop may take;
 * within them the step is learnt from the border's own variation. The floor is low on purpose: a render's
 * backdrop is noiseless, and a white product on it (a plaster bust, a white sphere) is set off by an outline
 * of a few units only, which a floor above that would step across.
 */
const MIN_STEP = 1;
const MAX_STEP = 24;
/**
 * A backdrop counts as textured when half its border ring is at least this grainy ({@link grainOf}, 0–255
 * RGB); on a textured backdrop the growth does not step from a grainy cell into one less than {@link
 * GRAIN_SHARE} as grainy as the border's median, so an untextured product is not entered however faint
 * its outline.
 */
const GRAIN_FLOOR = 3;
const GRAIN_SHARE = 1 / 8;
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

/** A border sample: position (0–1) and colour. */
type Sample = [number, number, number, number, number];

/** The basis of the backdrop surface: quadratic in position, so radial gradients and vignetting fit too. */
function basisOf(u: number, v: number): number[] {
  const du = u - 0.5;
  const dv = v - 0.5;
  return [1, du, dv, du * du, dv * dv, du * dv];
}
const BASIS = 6;

/**
 * Least-squares surface (in {@link basisOf}) per channel through the given samples, with a little ridge
 * regularisation so that a border seen on two sides only (a tight crop) stays well-posed.
 */
function fitSurfaces(samples: readonly Sample[]): number[][] {
  const m = new Float64Array(BASIS * BASIS);
  const rhs = [new Float64Array(BASIS), new Float64Array(BASIS), new Float64Array(BASIS)];
  for (const [u, v, r, g, b] of samples) {
    const basis = basisOf(u, v);
    for (let i = 0; i < BASIS; i++) {
      for (let j = 0; j < BASIS; j++) m[i * BASIS + j]! += basis[i]! * basis[j]!;
      rhs[0]![i]! += basis[i]! * r;
      rhs[1]![i]! += basis[i]! * g;
      rhs[2]![i]! += basis[i]! * b;
    }
  }
  for (let i = 1; i < BASIS; i++) m[i * BASIS + i]! += 1e-3 * samples.length;
  return rhs.map((vector) => solve(m, vector));
}

/** Solves the BASIS×BASIS system by Gaussian elimination with partial pivoting; singular: the mean colour. */
function solve(matrix: Float64Array, rhs: Float64Array): number[] {
  const n = BASIS;
  const a = Array.from({ length: n }, (_, i) => [...matrix.subarray(i * n, (i + 1) * n), rhs[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++)
      if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    if (Math.abs(a[pivot]![col]!) < 1e-12) {
      const result = new Array<number>(n).fill(0);
      result[0] = matrix[0]! > 0 ? rhs[0]! / matrix[0]! : 0;
      return result;
    }
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let row = 0; row < n; row++) {
      if (row === col) continue;
      const factor = a[row]![col]! / a[col]![col]!;
      for (let k = col; k <= n; k++) a[row]![k]! -= factor * a[col]![k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/**
 * The mean of each cell's `channels` values (read at `stride` apart) over its 3×3 neighbourhood, cut at the
 * grid's edge; `channels` values per cell out.
 */
function neighbourhoodMean(
  values: Float32Array,
  width: number,
  height: number,
  stride: number,
  channels: number,
): Float32Array {
  const out = new Float32Array(width * height * channels);
  const sum = new Float64Array(channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      sum.fill(0);
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const c = (yy * width + xx) * stride;
          for (let k = 0; k < channels; k++) sum[k]! += values[c + k]!;
          n++;
        }
      }
      const o = (y * width + x) * channels;
      for (let k = 0; k < channels; k++) out[o + k] = sum[k]! / n;
    }
  }
  return out;
}

/** Each cell's colour averaged with its 8 neighbours: a textured backdrop's grain cancels, edges stay. */
function smooth(grid: Grid): Float32Array {
  return neighbourhoodMean(grid.cells, grid.width, grid.height, 4, 3);
}

/**
 * Per cell, its grain: how far its mean colour is from its 3×3 neighbourhood's, averaged over that
 * neighbourhood. Wood, linen or a carpet behind a product is grainy everywhere; an untextured product
 * (white plastic, a painted shape) is smooth inside its outline.
 */
function grainOf(grid: Grid, colours: Float32Array): Float32Array {
  const { width, height, cells } = grid;
  const raw = new Float32Array(width * height);
  for (let c = 0; c < width * height; c++) {
    raw[c] = Math.hypot(
      cells[c * 4]! - colours[c * 3]!,
      cells[c * 4 + 1]! - colours[c * 3 + 1]!,
      cells[c * 4 + 2]! - colours[c * 3 + 2]!,
    );
  }
  return neighbourhoodMean(raw, width, height, 1, 1);
}

/**
 * The grain below which a cell counts as smooth: zero unless the border ring is mostly textured (its median
 * at least {@link GRAIN_FLOOR}), so a plain backdrop grows as before; on a textured one, {@link
 * GRAIN_SHARE} of the border's median grain.
 */
function smoothGrainBelow(borderGrain: number[]): number {
  const typical = median(borderGrain);
  return typical < GRAIN_FLOOR ? 0 : GRAIN_SHARE * typical;
}

/**
 * Subtracts the fitted backdrop surface from every smoothed cell, in place. The growth then compares what
 * the backdrop's smooth shape does not explain: a vignette or a radial gradient steps along the border by
 * more than a pale product's faint outline does, so steps learnt and taken on the raw colours would cross
 * that outline; flattened, the gradient's steps vanish and only the backdrop's grain and the outline remain.
 * On a flat backdrop (a render's) the surface is a constant and nothing changes.
 */
function flattenBackdrop(grid: Grid, colours: Float32Array, surfaces: number[][]): void {
  const { width, height } = grid;
  for (let gy = 0; gy < height; gy++) {
    for (let gx = 0; gx < width; gx++) {
      const basis = basisOf((gx + 0.5) / width, (gy + 0.5) / height);
      const o = (gy * width + gx) * 3;
      for (let channel = 0; channel < 3; channel++) {
        let fit = 0;
        for (let i = 0; i < BASIS; i++) fit += surfaces[channel]![i]! * basis[i]!;
        colours[o + channel]! -= fit;
      }
    }
  }
}

/**
 * The backdrop, on the grid: the cells reached from the border through small colour steps, taken on the
 * colours less the backdrop surface fitted to the border ({@link flattenBackdrop}). A backdrop changes
 * smoothly however it is lit (linear or radial gradients, vignetting, a studio sweep, a soft shadow), and a
 * product is bounded by an outline, so growing from the border stops at the product whatever the
 * backdrop's overall shape.
 *
 * No step is allowed for being "darker with the same chromaticity" (a shadow test between neighbours):
 * chained from cell to cell, such steps walk from a white or grey backdrop into every neutral part of a
 * product (white print, silver, chrome, grey plastic), which is most of a product rendered on white. A
 * shadow is crossed where it darkens no faster than the steps learnt from the border; a steeper one stays
 * with the product.
 */
function backdropCells(grid: Grid): Uint8Array | 'transparent' {
  const { width, height, cells } = grid;
  const border: Sample[] = [];
  const borderCells: number[] = [];
  let transparent = 0;
  for (let gy = 0; gy < height; gy++) {
    for (let gx = 0; gx < width; gx++) {
      const onBorder =
        gx < BORDER_CELLS || gy < BORDER_CELLS || gx >= width - BORDER_CELLS || gy >= height - BORDER_CELLS;
      if (!onBorder) continue;
      const c = (gy * width + gx) * 4;
      if (cells[c + 3]! < 128) transparent++;
      borderCells.push(gy * width + gx);
      border.push([(gx + 0.5) / width, (gy + 0.5) / height, cells[c]!, cells[c + 1]!, cells[c + 2]!]);
    }
  }
  // A render on a transparent background says exactly where the product is.
  if (transparent > border.length / 4) return 'transparent';
  const colours = smooth(grid);
  const grain = grainOf(grid, colours);
  // The backdrop surface, fitted robustly to the border (the product may touch it: a tight crop).
  let surfaces = fitSurfaces(border);
  const residual = (s: Sample, p: number[][]): number => {
    const basis = basisOf(s[0], s[1]);
    let sum = 0;
    for (let channel = 0; channel < 3; channel++) {
      let fit = 0;
      for (let i = 0; i < BASIS; i++) fit += p[channel]![i]! * basis[i]!;
      sum += (s[2 + channel]! - fit) ** 2;
    }
    return Math.sqrt(sum);
  };
  for (let round = 0; round < 2; round++) {
    const residuals = border.map((s) => residual(s, surfaces));
    const cut = median(residuals);
    const inliers = border.filter((_, index) => residuals[index]! <= cut);
    if (inliers.length >= BASIS * 2) surfaces = fitSurfaces(inliers);
  }
  const residuals = border.map((s) => residual(s, surfaces));
  const residualMedian = median(residuals);
  const inlierResiduals = residuals.filter((r) => r <= residualMedian);
  const threshold = Math.max(MIN_THRESHOLD, 4 * 1.4826 * median(inlierResiduals));
  flattenBackdrop(grid, colours, surfaces);
  const minGrain = smoothGrainBelow(borderCells.map((cell) => grain[cell]!));
  // How much the flattened backdrop changes from one cell to the next along the border: the step the
  // growth may take, with room for the backdrop's own grain.
  const steps: number[] = [];
  for (const cell of borderCells) {
    const x = cell % width;
    const y = Math.floor(cell / width);
    for (const [nx, ny] of [
      [x + 1, y],
      [x, y + 1],
    ] as const) {
      if (nx >= width || ny >= height) continue;
      const onBorder =
        nx < BORDER_CELLS || ny < BORDER_CELLS || nx >= width - BORDER_CELLS || ny >= height - BORDER_CELLS;
      if (!onBorder) continue;
      const a = cell * 3;
      const b = (ny * width + nx) * 3;
      steps.push(
        Math.hypot(
          colours[a]! - colours[b]!,
          colours[a + 1]! - colours[b + 1]!,
          colours[a + 2]! - colours[b + 2]!,
        ),
      );
    }
  }
  const maxStep = Math.max(MIN_STEP, Math.min(MAX_STEP, 3 * quantile(steps, 0.75)));
  const backdrop = new Uint8Array(width * height);
  const queue = new Int32Array(width * height);
  let head = 0;
  let tail = 0;
  for (const [index, cell] of borderCells.entries()) {
    if (residuals[index]! <= threshold && cells[cell * 4 + 3]! >= 128) {
      backdrop[cell] = 1;
      queue[tail++] = cell;
    }
  }
  while (head < tail) {
    const cell = queue[head++]!;
    const x = cell % width;
    const y = (cell - x) / width;
    for (const next of [
      x > 0 ? cell - 1 : -1,
      x < width - 1 ? cell + 1 : -1,
      y > 0 ? cell - width : -1,
      y < height - 1 ? cell + width : -1,
    ]) {
      if (next < 0 || backdrop[next]) continue;
      if (cells[next * 4 + 3]! < 128) {
        backdrop[next] = 1;
        queue[tail++] = next;
        continue;
      }
      const a = cell * 3;
      const b = next * 3;
      const step = Math.hypot(
        colours[a]! - colours[b]!,
        colours[a + 1]! - colours[b + 1]!,
        colours[a + 2]! - colours[b + 2]!,
      );
      // A smooth cell is entered only from a smooth one (a clipped or plain stretch of a textured
      // backdrop, grown from its own border), never from a grainy one: that is an outline into an
      // untextured product.
      const smoothEntry = grain[next]! < minGrain && grain[cell]! >= minGrain;
      if (step <= maxStep && !smoothEntry) {
        backdrop[next] = 1;
        queue[tail++] = next;
      }
    }
  }
  return backdrop;
}

function foregroundModel(grid: Grid, backdrop: Uint8Array | 'transparent'): ForegroundModel {
  if (backdrop === 'transparent') return { isForeground: (rgba, offset) => rgba[offset + 3]! >= 128 };
  const { step, width } = grid;
  return {
    isForeground(rgba, offset, x, y) {
      return rgba[offset + 3]! >= 128 && backdrop[Math.floor(y / step) * width + Math.floor(x / step)] === 0;
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
 * Finds the product in an RGBA image: alpha when the border is transparent; else the backdrop is grown from
 * the border cells that fit a smooth colour surface (quadratic, fitted robustly to the border ring) through
 * small colour steps between neighbouring cells (on colours less that surface, and on a textured backdrop
 * never from a grainy cell into a smooth one), and the product is what the backdrop does not reach.
 * Linear and radial gradients, vignetting, studio sweeps, textured backdrops (the steps are taken on a
 * smoothed grid, and their size is learnt from the border) and gradual shadows count as backdrop.
 *
 * Assumptions: the product is roughly centred and at least half of the border shows background.
 * Caveats: a product of the background's own colour is found only by its outline; holes through the
 * product (between a chair's legs) count as product; so does a shadow that darkens faster than the border's
 * own steps (a drop shadow's dark core beside the product). On a textured backdrop an untextured product
 * loses a rim of a cell or two, whose grain is its outline's.
 *
 * @example
 * ```ts
 * const { box } = segmentForeground(rgba, 1024, 1024); // {x0: 212, y0: 96, x1: 830, y1: 950}
 * ```
 */
export function segmentForeground(rgba: Uint8Array, width: number, height: number): Segmentation {
  const grid = buildGrid(rgba, width, height);
  const model = foregroundModel(grid, backdropCells(grid));
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
