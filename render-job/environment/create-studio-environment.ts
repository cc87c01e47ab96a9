import type { Vec3 } from '../camera/mat4.ts';
import { NEUTRAL_ROOM, type RoomBox } from './neutral-room.ts';

/** Options of {@link createStudioEnvironment}. */
export interface StudioEnvironmentOptions {
  /** Width of the sharpest level of the equirectangular map (height is half). Power of two, ≥ 64. */
  width?: number;
  /** Number of roughness levels (mip levels), the last one for roughness 1. */
  levels?: number;
  /** Multiplier on every radiance of the room. */
  intensity?: number;
}

/** Defaults of {@link StudioEnvironmentOptions}. */
export const STUDIO_ENVIRONMENT_DEFAULTS: Required<StudioEnvironmentOptions> = {
  width: 256,
  levels: 6,
  intensity: 1,
};

/** One level of the prefiltered map: rgba16float texels as raw half floats. */
export interface EnvironmentLevel {
  width: number;
  height: number;
  data: Uint16Array;
}

/** A generated studio environment: what the shader samples. */
export interface StudioEnvironment {
  /** Mip levels of the equirectangular radiance map; level i is prefiltered for roughness i/(levels−1). */
  levels: EnvironmentLevel[];
  /** Nine SH coefficients (rgb + padding) of the irradiance divided by π, ready for a Lambert albedo. */
  irradianceSH: Float32Array;
}

const cache = new Map<string, StudioEnvironment>();

/**
 * The neutral studio the turntables are lit by (no downloads): a white room lit from above with soft area
 * lights on its walls, the room of `<model-viewer>`'s default "neutral" environment
 * (`environment/neutral-room.ts`), so products look as they do in the viewer storefronts use. It is
 * colourless, so rendered hues are the product's own. Returns the radiance map prefiltered for a range of
 * roughness values and the diffuse irradiance as spherical harmonics. The result is computed once per
 * process and shared (it is deterministic).
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
  const key = JSON.stringify(settings);
  const cached = cache.get(key);
  if (cached) return cached;
  const radiance = (d: Vec3) => roomRadiance(d) * settings.intensity;

  const sharpest = supersampledMap(settings.width, settings.width / 2, radiance, 3);
  // Convolutions read an area-averaged copy: their lobes are wider than its texels, and averaging keeps
  // small bright lights from vanishing between samples.
  const sourceWidth = 64;
  const source = downsample(sharpest, settings.width, settings.width / sourceWidth);
  const levels: EnvironmentLevel[] = [];
  let previous = sharpest;
  let previousWidth = settings.width;
  for (let level = 0; level < settings.levels; level++) {
    const width = Math.max(8, settings.width >> level);
    const height = width / 2;
    const roughness = level / (settings.levels - 1);
    let texels: Float32Array;
    if (level === 0) texels = sharpest;
    else if (lobeWidthRadians(roughness) < (2 * Math.PI) / width) {
      // The lobe is narrower than a texel of this level: averaging the level above is the prefilter.
      texels = downsample(previous, previousWidth, previousWidth / width);
    } else texels = convolve(source, sourceWidth, width, height, roughness);
    levels.push({ width, height, data: toHalfFloats(texels) });
    previous = texels;
    previousWidth = width;
  }
  const environment = { levels, irradianceSH: irradianceSH(source, sourceWidth) };
  cache.set(key, environment);
  return environment;
}

/** Linear radiance of the room seen from its centre along unit direction `d`. Pure. */
export function roomRadiance(d: Vec3): number {
  const room = NEUTRAL_ROOM;
  // Nearest surface along the ray from the origin: the room's walls (seen from inside), its boxes and lights.
  const exit = exitDistance(room.room, d);
  let nearest = exit.t;
  let normal = exit.normal;
  let emitted = -1;
  for (const box of room.boxes) {
    const hit = entryDistance(box, d);
    if (hit !== null && hit.t < nearest) {
      nearest = hit.t;
      normal = hit.normal;
      emitted = -1;
    }
  }
  for (const light of room.lights) {
    const hit = entryDistance(light, d);
    if (hit !== null && hit.t < nearest) {
      nearest = hit.t;
      emitted = light.radiance;
    }
  }
  if (emitted >= 0) return emitted;
  // A white, fully rough dielectric (three.js' MeshStandardMaterial defaults) lit by the point light
  // (inverse square with a smooth cut-off), no shadows: Lambert plus GGX at α = 1, seen from the origin.
  const p: Vec3 = [d[0] * nearest, d[1] * nearest, d[2] * nearest];
  const l: Vec3 = [
    room.pointLight.position[0] - p[0],
    room.pointLight.position[1] - p[1],
    room.pointLight.position[2] - p[2],
  ];
  const distance = Math.hypot(l[0], l[1], l[2]);
  const nDotL = (l[0] * normal[0] + l[1] * normal[1] + l[2] * normal[2]) / distance;
  if (nDotL <= 0) return 0;
  const nDotV = Math.max(1e-4, -(d[0] * normal[0] + d[1] * normal[1] + d[2] * normal[2]));
  const h: Vec3 = [l[0] / distance - d[0], l[1] / distance - d[1], l[2] / distance - d[2]];
  const vDotH = Math.max(0, -(d[0] * h[0] + d[1] * h[1] + d[2] * h[2]) / Math.hypot(h[0], h[1], h[2]));
  const fresnel = 0.04 + 0.96 * (1 - vDotH) ** 5;
  const specular = (fresnel * 0.5) / (nDotL + nDotV) / Math.PI;
  const window = Math.max(0, 1 - (distance / room.pointLight.range) ** 4) ** 2;
  const irradiance = (room.pointLight.intensity * nDotL * window) / Math.max(distance * distance, 0.01);
  return irradiance * (1 / Math.PI + specular);
}

/** Distance along `d` (from the origin, inside the box) to the box's wall, and the wall's inward normal. */
function exitDistance(box: RoomBox, d: Vec3): { t: number; normal: Vec3 } {
  let t = Number.POSITIVE_INFINITY;
  const normal: Vec3 = [0, 1, 0];
  for (let axis = 0; axis < 3; axis++) {
    const direction = d[axis]!;
    if (Math.abs(direction) < 1e-12) continue;
    const wall = box.center[axis]! + (Math.sign(direction) * box.size[axis]!) / 2;
    const along = wall / direction;
    if (along < t) {
      t = along;
      normal[0] = 0;
      normal[1] = 0;
      normal[2] = 0;
      normal[axis] = -Math.sign(direction);
    }
  }
  return { t, normal };
}

const trig = new WeakMap<RoomBox, { c: number; s: number }>();

/** Slab test of a ray from the origin against a box turned by `yaw` about +Y; the entry point and normal. */
function entryDistance(box: RoomBox, d: Vec3): { t: number; normal: Vec3 } | null {
  let rotation = trig.get(box);
  if (!rotation) {
    rotation = { c: Math.cos(box.yaw), s: Math.sin(box.yaw) };
    trig.set(box, rotation);
  }
  const { c, s } = rotation;
  // Into the box's frame: rotate by −yaw about Y (three.js rotation.y convention).
  const [bx, by, bz] = box.center;
  const origin0 = -(c * bx - s * bz);
  const origin1 = -by;
  const origin2 = -(s * bx + c * bz);
  const direction0 = c * d[0] - s * d[2];
  const direction1 = d[1];
  const direction2 = s * d[0] + c * d[2];
  let near = Number.NEGATIVE_INFINITY;
  let far = Number.POSITIVE_INFINITY;
  let axisOfNear = 0;
  let signOfNear = 0;
  for (let axis = 0; axis < 3; axis++) {
    const half = box.size[axis]! / 2;
    const o = axis === 0 ? origin0 : axis === 1 ? origin1 : origin2;
    const v = axis === 0 ? direction0 : axis === 1 ? direction1 : direction2;
    if (Math.abs(v) < 1e-12) {
      if (o < -half || o > half) return null;
      continue;
    }
    let t0 = (-half - o) / v;
    let t1 = (half - o) / v;
    if (t0 > t1) [t0, t1] = [t1, t0];
    if (t0 > near) {
      near = t0;
      axisOfNear = axis;
      signOfNear = -Math.sign(v);
    }
    if (t1 < far) far = t1;
    if (near > far) return null;
  }
  if (near <= 0) return null;
  const lx = axisOfNear === 0 ? signOfNear : 0;
  const ly = axisOfNear === 1 ? signOfNear : 0;
  const lz = axisOfNear === 2 ? signOfNear : 0;
  // Back to world: rotate by +yaw.
  return { t: near, normal: [c * lx + s * lz, ly, -s * lx + c * lz] };
}

function direction(u: number, v: number): Vec3 {
  const phi = (u - 0.5) * 2 * Math.PI;
  const theta = v * Math.PI;
  return [Math.sin(theta) * Math.sin(phi), Math.cos(theta), -Math.sin(theta) * Math.cos(phi)];
}

/** The map sampled at `samples²` points per texel and averaged. */
function supersampledMap(
  width: number,
  height: number,
  radiance: (d: Vec3) => number,
  samples: number,
): Float32Array {
  const out = new Float32Array(width * height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      let sum = 0;
      for (let a = 0; a < samples; a++) {
        for (let b = 0; b < samples; b++) {
          sum += radiance(direction((i + (a + 0.5) / samples) / width, (j + (b + 0.5) / samples) / height));
        }
      }
      out[j * width + i] = sum / (samples * samples);
    }
  }
  return out;
}

/** Averages `factor × factor` blocks of an equirectangular map `width` wide. */
function downsample(map: Float32Array, width: number, factor: number): Float32Array {
  if (factor <= 1) return map;
  const height = width / 2;
  const outWidth = width / factor;
  const outHeight = height / factor;
  const out = new Float32Array(outWidth * outHeight);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const o = Math.floor(j / factor) * outWidth + Math.floor(i / factor);
      out[o] = out[o]! + map[j * width + i]! / (factor * factor);
    }
  }
  return out;
}

/**
 * Phong exponent of the reflected-direction lobe standing in for GGX at `roughness`: the microfacet
 * distribution's 2/α² − 2 (α = roughness²) about the half vector, divided by 4 about the reflection vector
 * (reflection doubles angles from the normal).
 */
function phongExponent(roughness: number): number {
  const alpha = Math.max(roughness * roughness, 0.02);
  return Math.max((2 / (alpha * alpha) - 2) / 4, 0.5);
}

/** Angular half-width of the lobe at `roughness`, radians (where the Phong lobe falls to ½). */
function lobeWidthRadians(roughness: number): number {
  return Math.acos(0.5 ** (1 / phongExponent(roughness)));
}

/** Phong-lobe convolution standing in for GGX prefiltering. */
function convolve(
  source: Float32Array,
  sourceWidth: number,
  width: number,
  height: number,
  roughness: number,
): Float32Array {
  const sourceHeight = sourceWidth / 2;
  const exponent = phongExponent(roughness);
  const count = sourceWidth * sourceHeight;
  const dx = new Float32Array(count);
  const dy = new Float32Array(count);
  const dz = new Float32Array(count);
  const weights = new Float32Array(count);
  for (let j = 0; j < sourceHeight; j++) {
    const v = (j + 0.5) / sourceHeight;
    for (let i = 0; i < sourceWidth; i++) {
      const [x, y, z] = direction((i + 0.5) / sourceWidth, v);
      const s = j * sourceWidth + i;
      dx[s] = x;
      dy[s] = y;
      dz[s] = z;
      weights[s] = Math.sin(v * Math.PI);
    }
  }
  const out = new Float32Array(width * height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const [nx, ny, nz] = direction((i + 0.5) / width, (j + 0.5) / height);
      let sum = 0;
      let total = 0;
      for (let s = 0; s < count; s++) {
        const c = nx * dx[s]! + ny * dy[s]! + nz * dz[s]!;
        if (c <= 0) continue;
        const w = Math.exp(exponent * Math.log(c)) * weights[s]!;
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
