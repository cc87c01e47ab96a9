/**
 * Structural similarity (SSIM, Wang et al. 2004) of two grey images of the same square size, with the
 * usual 11-tap Gaussian window (σ = 1.5) and constants K1 = 0.01, K2 = 0.03 for values in 0–1.
 */

const SIGMA = 1.5;
const RADIUS = 5;
const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

const KERNEL = (() => {
  const kernel = new Float64Array(2 * RADIUS + 1);
  let sum = 0;
  for (let i = -RADIUS; i <= RADIUS; i++) {
    const value = Math.exp(-(i * i) / (2 * SIGMA * SIGMA));
    kernel[i + RADIUS] = value;
    sum += value;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  return kernel;
})();

/** Separable Gaussian blur; the border is handled by renormalising the window (no padding values). */
function blur(source: Float64Array, size: number): Float64Array {
  const temp = new Float64Array(size * size);
  const out = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let acc = 0;
      let weight = 0;
      for (let k = -RADIUS; k <= RADIUS; k++) {
        const xx = x + k;
        if (xx < 0 || xx >= size) continue;
        const w = KERNEL[k + RADIUS]!;
        acc += w * source[y * size + xx]!;
        weight += w;
      }
      temp[y * size + x] = acc / weight;
    }
  }
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let acc = 0;
      let weight = 0;
      for (let k = -RADIUS; k <= RADIUS; k++) {
        const yy = y + k;
        if (yy < 0 || yy >= size) continue;
        const w = KERNEL[k + RADIUS]!;
        acc += w * temp[yy * size + x]!;
        weight += w;
      }
      out[y * size + x] = acc / weight;
    }
  }
  return out;
}

/**
 * Mean SSIM of two `size`×`size` grey images (values 0–1), averaged over the pixels where `region` is set
 * (all pixels when it is omitted). 1 for identical images; lower as structure, contrast or brightness part.
 * Returns 0 for an empty region.
 *
 * @example
 * ```ts
 * ssim(greyA, greyB, 128, sharedMask); // 0.83
 * ```
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, size: number, region?: Uint8Array): number {
  const n = size * size;
  if (a.length !== n || b.length !== n) throw new RangeError(`ssim needs two ${size}×${size} images`);
  const x = Float64Array.from(a);
  const y = Float64Array.from(b);
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i]! * x[i]!;
    yy[i] = y[i]! * y[i]!;
    xy[i] = x[i]! * y[i]!;
  }
  const mx = blur(x, size);
  const my = blur(y, size);
  const sxx = blur(xx, size);
  const syy = blur(yy, size);
  const sxy = blur(xy, size);
  let total = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (region && !region[i]) continue;
    const muX = mx[i]!;
    const muY = my[i]!;
    const varX = Math.max(0, sxx[i]! - muX * muX);
    const varY = Math.max(0, syy[i]! - muY * muY);
    const cov = sxy[i]! - muX * muY;
    total += ((2 * muX * muY + C1) * (2 * cov + C2)) / ((muX * muX + muY * muY + C1) * (varX + varY + C2));
    count++;
  }
  return count === 0 ? 0 : total / count;
}
