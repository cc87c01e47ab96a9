import { normalize, type Vec3 } from '../camera/mat4.ts';

/** Options of {@link createStudioEnvironment}. */
export interface StudioEnvironmentOptions {
  /** Width of the sharpest level of the equirectangular map (height is half). Power of two. */
  width?: number;
  /** Number of roughness levels (mip levels), the last one for roughness 1. */
  levels?: number;
  /** Direction the key light shines from (towards the light), world space, +Y up, +Z front. */
  keyDirection?: Vec3;
  /** Linear radiance of the key softbox and of the matching directional light. */
  keyIntensity?: number;
}

/** Defaults of {@link StudioEnvironmentOptions}. */
export const STUDIO_ENVIRONMENT_DEFAULTS: Required<StudioEnvironmentOptions> = {
  width: 128,
  levels: 5,
  keyDirection: [-0.45, 0.75, 0.55],
  keyIntensity: 2.2,
};

/** One level of the prefiltered map: rgba16float texels as raw half floats. */
export interface EnvironmentLevel {
  width: number;
  height: number;
  data: Uint16Array;
}

/** A generated studio environment: what the shader samples plus the matching key light. */
export interface StudioEnvironment {
  /** Mip levels of the equirectangular radiance map; level i is prefiltered for roughness i/(levels−1). */
  levels: EnvironmentLevel[];
  /** Nine SH coefficients (rgb + padding) of the irradiance divided by π, ready for a Lambert albedo. */
  irradianceSH: Float32Array;
  /** Unit direction towards the key light. */
  keyDirection: Vec3;
  /** Linear colour of the key light. */
  keyColor: Vec3;
}

/**
 * Generates a neutral photo-studio environment (no downloads): a grey cyclorama that brightens towards the
 * top, a large key softbox above front-left, a rim box behind right and a fill strip front-right. It is
 * colourless on purpose, so rendered hues are the product's own. Returns the radiance map prefiltered for
 * a range of roughness values and the diffuse irradiance as spherical harmonics.
 *
 * The equirectangular mapping is shared with the shader: texel (u, v) looks along
 * `(sin θ sin φ, cos θ, −sin θ cos φ)` with φ = (u − ½)·2π and θ = v·π, so u = ½ faces −Z.
 *
 * @example
 * ```ts
 * const environment = createStudioEnvironment();
 * ```
 */
export function createStudioEnvironment(options: StudioEnvironmentOptions = {}): StudioEnvironment {
  const settings = { ...STUDIO_ENVIRONMENT_DEFAULTS, ...options };
  const key = normalize(settings.keyDirection);
  const lights: Softbox[] = [
    { direction: key, cosRadius: Math.cos(0.38), intensity: settings.keyIntensity },
    { direction: normalize([0.6, 0.35, -0.72]), cosRadius: Math.cos(0.3), intensity: 1.6 },
    { direction: normalize([0.85, 0.1, 0.5]), cosRadius: Math.cos(0.25), intensity: 0.9 },
  ];
  const radiance = (d: Vec3) => studioRadiance(d, lights);

  // Convolutions read a small copy of the map: the lobes they apply are wider than its texels.
  const sourceWidth = 64;
  const source = sampleMap(sourceWidth, sourceWidth / 2, radiance);
  const levels: EnvironmentLevel[] = [];
  for (let level = 0; level < settings.levels; level++) {
    const width = Math.max(4, settings.width >> level);
    const height = width / 2;
    const roughness = level / (settings.levels - 1);
    const texels =
      level === 0
        ? sampleMap(width, height, radiance)
        : convolve(source, sourceWidth, width, height, roughness);
    levels.push({ width, height, data: toHalfFloats(texels) });
  }
  return {
    levels,
    irradianceSH: irradianceSH(source, sourceWidth),
    keyDirection: key,
    keyColor: [settings.keyIntensity * 0.9, settings.keyIntensity * 0.9, settings.keyIntensity * 0.9],
  };
}

interface Softbox {
  direction: Vec3;
  cosRadius: number;
  intensity: number;
}

function studioRadiance(d: Vec3, lights: Softbox[]): number {
  const y = d[1];
  // Cyclorama: dark floor, a bright horizon band, a gently brighter ceiling.
  let value = y < 0 ? 0.18 + 0.22 * Math.exp(y * 6) : 0.42 + 0.3 * y;
  for (const light of lights) {
    const c = d[0] * light.direction[0] + d[1] * light.direction[1] + d[2] * light.direction[2];
    // Soft-edged disc: full inside, smooth falloff over a few degrees past the edge.
    const edge = (c - light.cosRadius) / (1 - light.cosRadius) + 0.15;
    if (edge > 0) value += light.intensity * Math.min(1, edge / 0.3);
  }
  return value;
}

function direction(u: number, v: number): Vec3 {
  const phi = (u - 0.5) * 2 * Math.PI;
  const theta = v * Math.PI;
  return [Math.sin(theta) * Math.sin(phi), Math.cos(theta), -Math.sin(theta) * Math.cos(phi)];
}

function sampleMap(width: number, height: number, radiance: (d: Vec3) => number): Float32Array {
  const out = new Float32Array(width * height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++)
      out[j * width + i] = radiance(direction((i + 0.5) / width, (j + 0.5) / height));
  }
  return out;
}

/** Phong-lobe convolution standing in for GGX prefiltering (exponent 2/α² − 2, α = roughness²). */
function convolve(
  source: Float32Array,
  sourceWidth: number,
  width: number,
  height: number,
  roughness: number,
): Float32Array {
  const sourceHeight = sourceWidth / 2;
  const alpha = Math.max(roughness * roughness, 0.02);
  const exponent = Math.max(2 / (alpha * alpha) - 2, 0.5);
  const dirs: Vec3[] = [];
  const weights: number[] = [];
  for (let j = 0; j < sourceHeight; j++) {
    const v = (j + 0.5) / sourceHeight;
    for (let i = 0; i < sourceWidth; i++) {
      dirs.push(direction((i + 0.5) / sourceWidth, v));
      weights.push(Math.sin(v * Math.PI));
    }
  }
  const out = new Float32Array(width * height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const n = direction((i + 0.5) / width, (j + 0.5) / height);
      let sum = 0;
      let total = 0;
      for (let s = 0; s < dirs.length; s++) {
        const d = dirs[s]!;
        const c = n[0] * d[0] + n[1] * d[1] + n[2] * d[2];
        if (c <= 0) continue;
        const w = c ** exponent * weights[s]!;
        sum += w * source[s]!;
        total += w;
      }
      out[j * width + i] = total > 0 ? sum / total : 0;
    }
  }
  return out;
}

function irradianceSH(source: Float32Array, width: number): Float32Array {
  const height = width / 2;
  const coefficients = new Float64Array(9);
  for (let j = 0; j < height; j++) {
    const v = (j + 0.5) / height;
    const solidAngle = ((2 * Math.PI) / width) * (Math.PI / height) * Math.sin(v * Math.PI);
    for (let i = 0; i < width; i++) {
      const [x, y, z] = direction((i + 0.5) / width, v);
      const basis = shBasis(x, y, z);
      const value = source[j * width + i]! * solidAngle;
      for (let k = 0; k < 9; k++) coefficients[k] = coefficients[k]! + basis[k]! * value;
    }
  }
  // Convolution with the clamped cosine (Ramamoorthi & Hanrahan), then ÷π for a Lambert BRDF.
  const band = [Math.PI, (2 * Math.PI) / 3, Math.PI / 4];
  const out = new Float32Array(36);
  for (let k = 0; k < 9; k++) {
    const l = k === 0 ? 0 : k < 4 ? 1 : 2;
    const value = (coefficients[k]! * band[l]!) / Math.PI;
    out[k * 4] = value;
    out[k * 4 + 1] = value;
    out[k * 4 + 2] = value;
  }
  return out;
}

/** The nine real SH basis functions, in the order the shader evaluates them. */
function shBasis(x: number, y: number, z: number): number[] {
  return [
    0.282095,
    0.488603 * y,
    0.488603 * z,
    0.488603 * x,
    1.092548 * x * y,
    1.092548 * y * z,
    0.315392 * (3 * z * z - 1),
    1.092548 * x * z,
    0.546274 * (x * x - y * y),
  ];
}

/** Grey radiance to rgba16float texels. */
function toHalfFloats(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const half = toHalf(values[i]!);
    out[i * 4] = half;
    out[i * 4 + 1] = half;
    out[i * 4 + 2] = half;
    out[i * 4 + 3] = 0x3c00;
  }
  return out;
}

const floatView = new Float32Array(1);
const intView = new Uint32Array(floatView.buffer);

function toHalf(value: number): number {
  floatView[0] = value;
  const bits = intView[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign;
  if (exponent >= 31) return sign | 0x7c00;
  return sign | (exponent << 10) | (mantissa >>> 13);
}
