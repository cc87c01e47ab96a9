/**
 * Colour maths for comparing a product's colours between a reference photo and a render: sRGB to CIELAB
 * (D65) and the CIEDE2000 colour difference.
 */

/** A CIELAB colour (D65 white): L* in 0–100, a* and b* roughly −128…127. */
export interface Lab {
  L: number;
  a: number;
  b: number;
}

/** Parametric weights of CIEDE2000 (1, 1, 1 for the reference conditions; kL = 2 is the textile practice). */
export interface DeltaEWeights {
  kL: number;
  kC: number;
  kH: number;
}

const REFERENCE_WEIGHTS: DeltaEWeights = { kL: 1, kC: 1, kH: 1 };

/** D65 reference white, Y normalised to 1. */
const WHITE = { X: 0.95047, Y: 1, Z: 1.08883 };

const LINEAR = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  LINEAR[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function labF(t: number): number {
  const delta = 6 / 29;
  return t > delta ** 3 ? Math.cbrt(t) : t / (3 * delta * delta) + 4 / 29;
}

/** The linear-light value (0–1) of an 8-bit sRGB channel. */
export function srgbToLinear(value: number): number {
  return LINEAR[value & 255]!;
}

/** Converts 8-bit sRGB to CIELAB (D65), through linear light and CIE XYZ. */
export function srgbToLab(r: number, g: number, b: number): Lab {
  return linearToLab(LINEAR[r & 255]!, LINEAR[g & 255]!, LINEAR[b & 255]!);
}

/** Converts linear-light sRGB (0–1 per channel) to CIELAB (D65). */
export function linearToLab(lr: number, lg: number, lb: number): Lab {
  const X = 0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb;
  const Y = 0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb;
  const Z = 0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb;
  const fx = labF(X / WHITE.X);
  const fy = labF(Y / WHITE.Y);
  const fz = labF(Z / WHITE.Z);
  return { L: 116 * fy - 16, a: 500 * (fx - fy), b: 200 * (fy - fz) };
}

const DEG = Math.PI / 180;

/**
 * The CIEDE2000 colour difference ΔE00 between two CIELAB colours (CIE 142-2001), written after Sharma, Wu
 * and Dalal, "The CIEDE2000 color-difference formula: implementation notes, supplementary test data, and
 * mathematical observations" (2005), including their notes on hue angles near 0°/360° and on achromatic
 * colours. Symmetric; 0 for equal colours; about 1 is a just-noticeable difference.
 *
 * @example
 * ```ts
 * ciede2000({ L: 50, a: 2.6772, b: -79.7751 }, { L: 50, a: 0, b: -82.7485 }); // 2.0425
 * ```
 */
export function ciede2000(first: Lab, second: Lab, weights: DeltaEWeights = REFERENCE_WEIGHTS): number {
  const { L: L1, a: a1, b: b1 } = first;
  const { L: L2, a: a2, b: b2 } = second;
  const C1 = Math.hypot(a1, b1);
  const C2 = Math.hypot(a2, b2);
  const meanC = (C1 + C2) / 2;
  const meanC7 = meanC ** 7;
  const G = 0.5 * (1 - Math.sqrt(meanC7 / (meanC7 + 25 ** 7)));
  const a1p = (1 + G) * a1;
  const a2p = (1 + G) * a2;
  const C1p = Math.hypot(a1p, b1);
  const C2p = Math.hypot(a2p, b2);
  const hueOf = (b: number, ap: number) => {
    if (b === 0 && ap === 0) return 0;
    const h = Math.atan2(b, ap) / DEG;
    return h < 0 ? h + 360 : h;
  };
  const h1p = hueOf(b1, a1p);
  const h2p = hueOf(b2, a2p);

  const dLp = L2 - L1;
  const dCp = C2p - C1p;
  let dhp = 0;
  if (C1p * C2p !== 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin((dhp / 2) * DEG);

  const meanLp = (L1 + L2) / 2;
  const meanCp = (C1p + C2p) / 2;
  let meanHp = h1p + h2p;
  if (C1p * C2p !== 0) {
    if (Math.abs(h1p - h2p) <= 180) meanHp = (h1p + h2p) / 2;
    else if (h1p + h2p < 360) meanHp = (h1p + h2p + 360) / 2;
    else meanHp = (h1p + h2p - 360) / 2;
  }
  const T =
    1 -
    0.17 * Math.cos((meanHp - 30) * DEG) +
    0.24 * Math.cos(2 * meanHp * DEG) +
    0.32 * Math.cos((3 * meanHp + 6) * DEG) -
    0.2 * Math.cos((4 * meanHp - 63) * DEG);
  const dTheta = 30 * Math.exp(-(((meanHp - 275) / 25) ** 2));
  const meanCp7 = meanCp ** 7;
  const RC = 2 * Math.sqrt(meanCp7 / (meanCp7 + 25 ** 7));
  const lShift = (meanLp - 50) ** 2;
  const SL = 1 + (0.015 * lShift) / Math.sqrt(20 + lShift);
  const SC = 1 + 0.045 * meanCp;
  const SH = 1 + 0.015 * meanCp * T;
  const RT = -Math.sin(2 * dTheta * DEG) * RC;

  const l = dLp / (weights.kL * SL);
  const c = dCp / (weights.kC * SC);
  const h = dHp / (weights.kH * SH);
  return Math.sqrt(l * l + c * c + h * h + RT * c * h);
}
