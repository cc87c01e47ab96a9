/**
 * The shading model's scalar functions, in TypeScript and, beside each, the WGSL the fragment shader runs.
 * The TypeScript versions are what the unit tests check (energy conservation, limits, known values); the
 * WGSL is the same formula, line for line.
 *
 * References: Karis, "Physically Based Shading on Mobile" (2014) for the analytic environment BRDF;
 * Fdez-Agüera, "A Multiple-Scattering Microfacet Model for Real-Time Image-based Lighting" (2019);
 * Estevez & Kulla, "Production Friendly Microfacet Sheen BRDF" (2017) with the directional-albedo fit
 * three.js uses, so sheen matches `<model-viewer>`; the Khronos KHR_materials_sheen, _clearcoat,
 * _transmission, _specular and _ior specifications for how the layers combine.
 */

/** RGB triple. */
export type Rgb = [number, number, number];

/** Split-sum environment BRDF scale and bias (Karis' analytic fit). */
export function environmentBRDF(roughness: number, nDotV: number): [number, number] {
  const rx = roughness * -1 + 1;
  const ry = roughness * -0.0275 + 0.0425;
  const rz = roughness * -0.572 + 1.04;
  const rw = roughness * 0.022 - 0.04;
  const a004 = Math.min(rx * rx, 2 ** (-9.28 * nDotV)) * rx + ry;
  return [-1.04 * a004 + rz, 1.04 * a004 + rw];
}

/** Reflectance at normal incidence of a dielectric of index `ior` in air: ((n − 1)/(n + 1))². */
export function f0FromIor(ior: number): number {
  const r = (ior - 1) / (ior + 1);
  return r * r;
}

/**
 * A dielectric's F0 and F90 from KHR_materials_ior and KHR_materials_specular: F0 = min(f0(ior)·colour, 1)
 * · factor, F90 = factor.
 */
export function dielectricSpecular(
  ior: number,
  specularFactor: number,
  specularColor: Rgb,
): { f0: Rgb; f90: number } {
  const base = f0FromIor(ior);
  const f0 = specularColor.map((c) => Math.min(base * c, 1) * specularFactor) as Rgb;
  return { f0, f90: specularFactor };
}

/**
 * Image-based specular reflectance with multiple scattering: `single` weights the prefiltered radiance,
 * `multi` the irradiance; together they never exceed 1 and reach 1 for a white metal (no energy lost to
 * the single-scattering approximation, which darkens rough metals).
 */
export function specularScattering(
  f0: Rgb,
  f90: number,
  roughness: number,
  nDotV: number,
): { single: Rgb; multi: Rgb } {
  const [scale, bias] = environmentBRDF(roughness, nDotV);
  const ess = scale + bias;
  const ems = 1 - ess;
  const single = f0.map((f) => f * scale + f90 * bias) as Rgb;
  const multi = f0.map((f, i) => {
    const average = f + (1 - f) / 21;
    return ((single[i]! * average) / (1 - ems * average)) * ems;
  }) as Rgb;
  return { single, multi };
}

/**
 * Directional albedo of the Charlie sheen lobe for a white sheen colour (the analytic fit of Estevez &
 * Kulla's tables that three.js uses): rises towards grazing angles and with roughness. In [0, 1].
 */
export function sheenAlbedo(nDotV: number, sheenRoughness: number): number {
  const r = sheenRoughness;
  const r2 = r * r;
  const inverse = 1 / (r + 0.1);
  const a = -1.9362 + 1.0678 * r + 0.4573 * r2 - 0.8469 * inverse;
  const b = -0.6014 + 0.5538 * r - 0.467 * r2 - 0.1255 * inverse;
  return Math.min(Math.max(Math.exp(a * nDotV + b), 0), 1);
}

/**
 * How much of the environment's specular light ambient occlusion leaves (Lagarde & de Rousiers, 2014): the
 * occlusion itself for rough surfaces, less of it for glossy ones seen head-on.
 */
export function specularOcclusion(nDotV: number, occlusion: number, roughness: number): number {
  const value = (nDotV + occlusion) ** (2 ** (-16 * roughness - 1)) - 1 + occlusion;
  return Math.min(Math.max(value, 0), 1);
}

/** How much of the layers under sheen still shows: 1 − max(sheenColour)·albedo (KHR_materials_sheen). */
export function sheenScaling(sheenColor: Rgb, nDotV: number, sheenRoughness: number): number {
  return 1 - Math.max(...sheenColor) * sheenAlbedo(nDotV, sheenRoughness);
}

/** Schlick's Fresnel of the clear coat (IOR 1.5: F0 0.04, F90 1) times its strength. */
export function clearcoatFresnel(clearcoat: number, nDotV: number): number {
  return clearcoat * (0.04 + 0.96 * (1 - nDotV) ** 5);
}

/** The WGSL of the functions above. */
export const SHADING_WGSL = /* wgsl */ `
fn environmentBRDF(roughness: f32, nDotV: f32) -> vec2f {
  let c0 = vec4f(-1.0, -0.0275, -0.572, 0.022);
  let c1 = vec4f(1.0, 0.0425, 1.04, -0.04);
  let r = roughness * c0 + c1;
  let a004 = min(r.x * r.x, exp2(-9.28 * nDotV)) * r.x + r.y;
  return vec2f(-1.04, 1.04) * a004 + r.zw;
}

fn f0FromIor(ior: f32) -> f32 {
  let r = (ior - 1.0) / (ior + 1.0);
  return r * r;
}

struct Scattering {
  single: vec3f,
  multi: vec3f,
};

fn specularScattering(f0: vec3f, f90: f32, roughness: f32, nDotV: f32) -> Scattering {
  let brdf = environmentBRDF(roughness, nDotV);
  let ess = brdf.x + brdf.y;
  let ems = 1.0 - ess;
  let single = f0 * brdf.x + vec3f(f90 * brdf.y);
  let average = f0 + (vec3f(1.0) - f0) / 21.0;
  let multi = single * average / (vec3f(1.0) - ems * average) * ems;
  return Scattering(single, multi);
}

fn sheenAlbedo(nDotV: f32, sheenRoughness: f32) -> f32 {
  let r = sheenRoughness;
  let r2 = r * r;
  let inverse = 1.0 / (r + 0.1);
  let a = -1.9362 + 1.0678 * r + 0.4573 * r2 - 0.8469 * inverse;
  let b = -0.6014 + 0.5538 * r - 0.467 * r2 - 0.1255 * inverse;
  return clamp(exp(a * nDotV + b), 0.0, 1.0);
}

fn specularOcclusion(nDotV: f32, occlusion: f32, roughness: f32) -> f32 {
  return clamp(pow(nDotV + occlusion, exp2(-16.0 * roughness - 1.0)) - 1.0 + occlusion, 0.0, 1.0);
}

fn clearcoatFresnel(clearcoat: f32, nDotV: f32) -> f32 {
  return clearcoat * (0.04 + 0.96 * pow(1.0 - nDotV, 5.0));
}
`;
