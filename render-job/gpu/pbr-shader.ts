import { SHADING_WGSL } from './shading.ts';

/**
 * The WGSL of the turntable: glTF metallic-roughness with base colour, metal-roughness, normal, occlusion
 * and emissive textures (each with its own UV set and KHR_texture_transform), lit only by the studio
 * environment (SH irradiance + prefiltered equirectangular radiance, split sum with multiple scattering),
 * the material layers of KHR_materials_ior, _specular, _sheen, _clearcoat and _transmission (their
 * factors; see `shading.ts`), Khronos PBR Neutral tone mapping and sRGB encoding.
 *
 * Transmission is approximated without a second pass: the transmitted share of the surface lets what is
 * behind it show (the variant drawn with premultiplied blending after the opaque primitives), tinted
 * towards the base colour by the environment seen through it.
 *
 * `discard` only exists in the variant built for MASK materials: a shader that may discard turns off early
 * depth testing, and on a software rasteriser shading every hidden fragment doubles the cost of a frame.
 *
 * The output is written sRGB-encoded into an `rgba8unorm` target, because compatibility-mode devices
 * (the software path) cannot always render to sRGB formats; alpha-blended materials therefore blend in
 * display space, as most web viewers do.
 */
export function pbrShader(options: { alphaMask: boolean; transmission: boolean }): string {
  return /* wgsl */ `
struct Frame {
  viewProj: mat4x4f,
  model: mat4x4f,
  cameraPos: vec4f,
  // x: exposure, y: environment max LOD
  params: vec4f,
  sh: array<vec4f, 9>,
};

struct Material {
  baseColorFactor: vec4f,
  // rgb: emissive factor, w: 1 when unlit
  emissive: vec4f,
  // metallic, roughness, normal scale, occlusion strength
  pbr: vec4f,
  // alpha cutoff, alpha mode (0 opaque, 1 mask, 2 blend), has normal map, emissive UV set
  alpha: vec4f,
  // UV set of base colour, metal-roughness, normal, occlusion
  uvSets: vec4f,
  // two rows of a 2x3 affine UV transform per slot, slots in the order above then emissive
  transforms: array<vec4f, 10>,
  // rgb: sheen colour, w: sheen roughness
  sheen: vec4f,
  // clearcoat factor, clearcoat roughness, transmission factor, ior
  layers: vec4f,
  // rgb: specular colour, w: specular factor
  specular: vec4f,
};

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var environmentMap: texture_2d<f32>;
@group(0) @binding(2) var environmentSampler: sampler;

@group(1) @binding(0) var<uniform> material: Material;
@group(1) @binding(1) var baseColorTexture: texture_2d<f32>;
@group(1) @binding(2) var metallicRoughnessTexture: texture_2d<f32>;
@group(1) @binding(3) var normalTexture: texture_2d<f32>;
@group(1) @binding(4) var occlusionTexture: texture_2d<f32>;
@group(1) @binding(5) var emissiveTexture: texture_2d<f32>;
@group(1) @binding(6) var baseColorSampler: sampler;
@group(1) @binding(7) var metallicRoughnessSampler: sampler;
@group(1) @binding(8) var normalSampler: sampler;
@group(1) @binding(9) var occlusionSampler: sampler;
@group(1) @binding(10) var emissiveSampler: sampler;

struct VertexIn {
  @location(0) position: vec3f,
  @location(1) normal: vec3f,
  @location(2) tangent: vec4f,
  @location(3) uv0: vec2f,
  @location(4) uv1: vec2f,
  @location(5) color: vec4f,
};

struct VertexOut {
  @builtin(position) clip: vec4f,
  @location(0) world: vec3f,
  @location(1) normal: vec3f,
  @location(2) tangent: vec4f,
  @location(3) uv0: vec2f,
  @location(4) uv1: vec2f,
  @location(5) color: vec4f,
};

@vertex
fn vertexMain(in: VertexIn) -> VertexOut {
  var out: VertexOut;
  let world = frame.model * vec4f(in.position, 1.0);
  out.clip = frame.viewProj * world;
  out.world = world.xyz;
  // The turntable matrix is a pure rotation, so it also transforms normals.
  out.normal = (frame.model * vec4f(in.normal, 0.0)).xyz;
  out.tangent = vec4f((frame.model * vec4f(in.tangent.xyz, 0.0)).xyz, in.tangent.w);
  out.uv0 = in.uv0;
  out.uv1 = in.uv1;
  out.color = in.color;
  return out;
}

const PI = 3.14159265359;

fn slotUV(slot: u32, uvSet: f32, uv0: vec2f, uv1: vec2f) -> vec2f {
  let uv = select(uv0, uv1, uvSet > 0.5);
  let r0 = material.transforms[slot * 2u];
  let r1 = material.transforms[slot * 2u + 1u];
  return vec2f(dot(r0.xyz, vec3f(uv, 1.0)), dot(r1.xyz, vec3f(uv, 1.0)));
}

fn environmentUV(d: vec3f) -> vec2f {
  let phi = atan2(d.x, -d.z);
  let theta = acos(clamp(d.y, -1.0, 1.0));
  return vec2f(phi / (2.0 * PI) + 0.5, theta / PI);
}

fn irradiance(n: vec3f) -> vec3f {
  let x = n.x;
  let y = n.y;
  let z = n.z;
  var e = frame.sh[0].rgb * 0.282095;
  e += frame.sh[1].rgb * 0.488603 * y;
  e += frame.sh[2].rgb * 0.488603 * z;
  e += frame.sh[3].rgb * 0.488603 * x;
  e += frame.sh[4].rgb * 1.092548 * x * y;
  e += frame.sh[5].rgb * 1.092548 * y * z;
  e += frame.sh[6].rgb * 0.315392 * (3.0 * z * z - 1.0);
  e += frame.sh[7].rgb * 1.092548 * x * z;
  e += frame.sh[8].rgb * 0.546274 * (x * x - y * y);
  return max(e, vec3f(0.0));
}

${SHADING_WGSL}
// Khronos PBR Neutral tone mapping, made for e-commerce renders: keeps base colours recognisable.
fn pbrNeutral(colorIn: vec3f) -> vec3f {
  let startCompression = 0.8 - 0.04;
  let desaturation = 0.15;
  let x = min(colorIn.r, min(colorIn.g, colorIn.b));
  let offset = select(0.04, x - 6.25 * x * x, x < 0.08);
  var color = colorIn - offset;
  let peak = max(color.r, max(color.g, color.b));
  if (peak < startCompression) {
    return color;
  }
  let d = 1.0 - startCompression;
  let newPeak = 1.0 - d * d / (peak + d - startCompression);
  color *= newPeak / peak;
  let g = 1.0 - 1.0 / (desaturation * (peak - newPeak) + 1.0);
  return mix(color, vec3f(newPeak), g);
}

fn linearToSrgb(c: vec3f) -> vec3f {
  let low = c * 12.92;
  let high = 1.055 * pow(max(c, vec3f(0.0)), vec3f(1.0 / 2.4)) - 0.055;
  return select(high, low, c <= vec3f(0.0031308));
}

@fragment
fn fragmentMain(in: VertexOut, @builtin(front_facing) frontFacing: bool) -> @location(0) vec4f {
  let baseSample = textureSample(baseColorTexture, baseColorSampler,
    slotUV(0u, material.uvSets.x, in.uv0, in.uv1));
  let mrSample = textureSample(metallicRoughnessTexture, metallicRoughnessSampler,
    slotUV(1u, material.uvSets.y, in.uv0, in.uv1));
  let normalSample = textureSample(normalTexture, normalSampler,
    slotUV(2u, material.uvSets.z, in.uv0, in.uv1));
  let occlusionSample = textureSample(occlusionTexture, occlusionSampler,
    slotUV(3u, material.uvSets.w, in.uv0, in.uv1));
  let emissiveSample = textureSample(emissiveTexture, emissiveSampler,
    slotUV(4u, material.alpha.w, in.uv0, in.uv1));

  let base = material.baseColorFactor * in.color * baseSample;
  let alphaMode = material.alpha.y;
  var alpha = 1.0;
  if (alphaMode > 1.5) {
    alpha = base.a;
  } else if (alphaMode > 0.5) {
    if (base.a < material.alpha.x) {
      ${options.alphaMask ? 'discard;' : ''}
    }
  }

  if (material.emissive.w > 0.5) {
    let unlit = pbrNeutral(base.rgb * frame.params.x);
    return vec4f(linearToSrgb(unlit), alpha);
  }

  let faceSign = select(-1.0, 1.0, frontFacing);
  var n = normalize(in.normal) * faceSign;
  if (material.alpha.z > 0.5) {
    var t = in.tangent.xyz - n * dot(n, in.tangent.xyz);
    t = normalize(t + vec3f(1e-7));
    let b = cross(n, t) * in.tangent.w * faceSign;
    let tn = (normalSample.xyz * 2.0 - 1.0) * vec3f(material.pbr.z, material.pbr.z, 1.0);
    n = normalize(t * tn.x + b * tn.y + n * tn.z);
  }

  let metallic = clamp(material.pbr.x * mrSample.b, 0.0, 1.0);
  let roughness = clamp(material.pbr.y * mrSample.g, 0.0525, 1.0);
  let v = normalize(frame.cameraPos.xyz - in.world);
  let nDotV = clamp(dot(n, v), 1e-4, 1.0);
  let ior = material.layers.w;
  let f0Dielectric = min(vec3f(f0FromIor(ior)) * material.specular.rgb, vec3f(1.0)) * material.specular.w;
  let diffuseColor = base.rgb * (1.0 - metallic);

  let irradianceN = irradiance(n);
  // The reflection bends towards the normal as the surface roughens (the lobe's peak does).
  let r = normalize(mix(reflect(-v, n), n, pow(roughness, 4.0)));
  let radiance = textureSampleLevel(environmentMap, environmentSampler, environmentUV(r),
    roughness * frame.params.y).rgb;
  let dielectric = specularScattering(f0Dielectric, material.specular.w, roughness, nDotV);
  let metal = specularScattering(base.rgb, 1.0, roughness, nDotV);
  let single = mix(dielectric.single, metal.single, metallic);
  let multi = mix(dielectric.multi, metal.multi, metallic);
  let total = single + multi;
  let ao = 1.0 + material.pbr.w * (occlusionSample.r - 1.0);
  var diffuse = diffuseColor * (vec3f(1.0) - dielectric.single - dielectric.multi) * irradianceN * ao;
  let specular = (radiance * single + multi * irradianceN) * specularOcclusion(nDotV, ao, roughness);

  // Transmission: the transmitted share of the dielectric base lets the background through (alpha below),
  // keeping the part of the light the base colour absorbs from the environment seen through the surface.
  let transmission = material.layers.z * (1.0 - metallic);
  var seeThrough = 0.0;
  if (transmission > 0.0) {
    let behind = textureSampleLevel(environmentMap, environmentSampler, environmentUV(-v),
      roughness * frame.params.y).rgb;
    let tint = dot(base.rgb, vec3f(0.2126, 0.7152, 0.0722));
    let passed = transmission * (1.0 - max(total.r, max(total.g, total.b)));
    diffuse = diffuse * (1.0 - transmission) + passed * behind * max(base.rgb - vec3f(tint), vec3f(0.0));
    seeThrough = passed * tint;
  }
  var color = diffuse + specular;

  // Sheen on top of the base (KHR_materials_sheen): the base dims by the sheen's albedo.
  let sheenColor = material.sheen.rgb;
  if (max(sheenColor.r, max(sheenColor.g, sheenColor.b)) > 0.0) {
    let sheenRoughness = clamp(material.sheen.w, 0.07, 1.0);
    let albedo = sheenAlbedo(nDotV, sheenRoughness);
    let scaling = 1.0 - max(sheenColor.r, max(sheenColor.g, sheenColor.b)) * albedo;
    color = color * scaling + sheenColor * albedo * irradianceN * ao;
    seeThrough *= scaling;
  }

  // Clear coat on top of everything (KHR_materials_clearcoat): IOR 1.5, the geometry's normal.
  let clearcoat = material.layers.x;
  if (clearcoat > 0.0) {
    let coatNormal = normalize(in.normal) * faceSign;
    let coatNDotV = clamp(dot(coatNormal, v), 1e-4, 1.0);
    let coatRoughness = clamp(material.layers.y, 0.0525, 1.0);
    let coatRadiance = textureSampleLevel(environmentMap, environmentSampler,
      environmentUV(reflect(-v, coatNormal)), coatRoughness * frame.params.y).rgb;
    let coatBRDF = environmentBRDF(coatRoughness, coatNDotV);
    let fresnel = clearcoatFresnel(clearcoat, coatNDotV);
    color = color * (1.0 - fresnel) + coatRadiance * (0.04 * coatBRDF.x + coatBRDF.y) * clearcoat;
    seeThrough *= 1.0 - fresnel;
  }

  color += material.emissive.rgb * emissiveSample.rgb;
  let mapped = linearToSrgb(pbrNeutral(color * frame.params.x));
  ${
    options.transmission
      ? `// Premultiplied: what is behind shows through the transmitted share.
  let coverage = alpha * (1.0 - seeThrough);
  return vec4f(mapped * alpha, coverage);`
      : 'return vec4f(mapped, alpha);'
  }
}
`;
}
