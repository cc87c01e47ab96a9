import type { Document, Material, Texture } from '@gltf-transform/core';
import sharp, { type Metadata } from 'sharp';
import { type Finding, finding } from '../findings.ts';
import type { TexturingPolicy } from '../policy/policy.ts';
import { materialTextureInfos } from './check-uv.ts';

/** One texture as the report lists it. */
export interface TextureStats {
  name: string;
  mimeType: string;
  width: number;
  height: number;
  bytes: number;
  /** Material slots that use it (`baseColor`, `normal`, …). */
  slots: string[];
}

/** Texturing figures of a model. */
export interface TexturingStats {
  textures: TextureStats[];
  /** GPU memory of all textures as RGBA8 with mipmaps, in bytes. */
  textureMemoryBytes: number;
}

/** Outcome of {@link checkTexturing}. */
export interface TexturingOutcome {
  findings: Finding[];
  stats: TexturingStats;
}

const COLOUR_SLOTS = new Set(['baseColor', 'emissive']);

/**
 * The texturing stage: every primitive has a metallic-roughness material with a base colour, every image
 * is present and decodes, sizes are within the policy and powers of two, colour textures are sRGB and data
 * textures carry no colour profile, base colours stay in the PBR-safe luminance range, and the total texture
 * memory is within the policy.
 */
export async function checkTexturing(
  document: Document,
  policy: TexturingPolicy,
  file: string,
): Promise<TexturingOutcome> {
  const findings: Finding[] = [];
  const root = document.getRoot();
  const slotsOf = new Map<Texture, Set<string>>();
  root.listMeshes().forEach((mesh, meshIndex) => {
    mesh.listPrimitives().forEach((primitive, primitiveIndex) => {
      if (!primitive.getMaterial()) {
        findings.push(
          finding('TEXTURING_NO_MATERIAL', 'A primitive has no material.', {
            file,
            pointer: `/meshes/${meshIndex}/primitives/${primitiveIndex}`,
            ...(mesh.getName() ? { name: mesh.getName() } : {}),
          }),
        );
      }
    });
  });
  root.listMaterials().forEach((material, index) => {
    const location = {
      file,
      pointer: `/materials/${index}`,
      ...(material.getName() ? { name: material.getName() } : {}),
    };
    const workflow = material
      .listExtensions()
      .map((extension) => extension.extensionName)
      .find((name) => name === 'KHR_materials_pbrSpecularGlossiness' || name === 'KHR_materials_unlit');
    if (workflow) {
      findings.push(
        finding('TEXTURING_NOT_PBR', `Material uses ${workflow}, not metallic-roughness.`, location),
      );
    }
    const factor = material.getBaseColorFactor();
    const hasFactor = factor.some((value) => value !== 1);
    if (!material.getBaseColorTexture() && !hasFactor) {
      findings.push(
        finding(
          'TEXTURING_NO_BASE_COLOR',
          'Material has neither a base colour texture nor a base colour.',
          location,
        ),
      );
    }
    if (!material.getBaseColorTexture() && hasFactor) {
      const luminance = srgbLuminance(factor);
      const { min, max } = policy.baseColorLuminance;
      if (luminance < min || luminance > max) {
        findings.push(
          finding(
            'TEXTURING_BASE_COLOR_LUMINANCE',
            `Base colour luminance ${Math.round(luminance)} is outside ${min}–${max}.`,
            location,
          ),
        );
      }
    }
    for (const { slot, texture } of materialTextureInfos(material)) {
      if (!texture) continue;
      const used = getTexture(material, slot);
      if (!used) continue;
      const slots = slotsOf.get(used) ?? new Set<string>();
      slots.add(slot);
      slotsOf.set(used, slots);
    }
  });
  const textures: TextureStats[] = [];
  let memory = 0;
  const textureList = root.listTextures();
  for (const [index, texture] of textureList.entries()) {
    const name = texture.getName() || texture.getURI() || `texture ${index}`;
    const location = { file, pointer: `/images/${index}`, name };
    const image = texture.getImage();
    const slots = [...(slotsOf.get(texture) ?? [])];
    if (!image || image.byteLength === 0) {
      findings.push(finding('TEXTURING_IMAGE_MISSING', `Image "${name}" has no data.`, location));
      continue;
    }
    let metadata: Metadata;
    try {
      metadata = await sharp(image).metadata();
      if (!metadata.width || !metadata.height) throw new Error('no dimensions');
    } catch (error) {
      findings.push(
        finding(
          'TEXTURING_IMAGE_UNDECODABLE',
          `Image "${name}" does not decode: ${(error as Error).message}.`,
          location,
        ),
      );
      continue;
    }
    const width = metadata.width;
    const height = metadata.height;
    textures.push({ name, mimeType: texture.getMimeType(), width, height, bytes: image.byteLength, slots });
    memory += Math.round((width * height * 4 * 4) / 3);
    if (Math.max(width, height) > policy.maxTextureSize) {
      findings.push(
        finding(
          'TEXTURING_TEXTURE_TOO_LARGE',
          `Image "${name}" is ${width}×${height}; the maximum is ${policy.maxTextureSize} px.`,
          location,
        ),
      );
    }
    if (!isPowerOfTwo(width) || !isPowerOfTwo(height)) {
      findings.push(
        finding(
          'TEXTURING_NOT_POWER_OF_TWO',
          `Image "${name}" is ${width}×${height}, not a power of two.`,
          location,
          policy.requirePowerOfTwo ? 'error' : 'warning',
        ),
      );
    }
    const colourSpaceProblem = colourSpace(metadata, slots);
    if (colourSpaceProblem) {
      findings.push(finding('TEXTURING_COLOR_SPACE', `Image "${name}" ${colourSpaceProblem}.`, location));
    }
    // Decoding is bounded by the size limit: an image over it is reported above and never decoded.
    if (slots.includes('baseColor') && Math.max(width, height) <= policy.maxTextureSize) {
      const problem = await baseColourRange(image, policy.baseColorLuminance, policy.maxTextureSize ** 2);
      if (problem)
        findings.push(finding('TEXTURING_BASE_COLOR_LUMINANCE', `Image "${name}" ${problem}.`, location));
    }
  }
  if (memory > policy.maxTextureMemoryBytes) {
    findings.push(
      finding(
        'TEXTURING_TEXTURE_MEMORY',
        `Textures need ${mib(memory)} MiB of GPU memory; the limit is ${mib(policy.maxTextureMemoryBytes)} MiB.`,
        { file },
      ),
    );
  }
  return { findings, stats: { textures, textureMemoryBytes: memory } };
}

function getTexture(material: Material, slot: string): Texture | null {
  switch (slot) {
    case 'baseColor':
      return material.getBaseColorTexture();
    case 'metallicRoughness':
      return material.getMetallicRoughnessTexture();
    case 'normal':
      return material.getNormalTexture();
    case 'occlusion':
      return material.getOcclusionTexture();
    default:
      return material.getEmissiveTexture();
  }
}

function colourSpace(metadata: Metadata, slots: string[]): string | undefined {
  const colour = slots.some((slot) => COLOUR_SLOTS.has(slot));
  const data = slots.some((slot) => !COLOUR_SLOTS.has(slot));
  if (colour && data) return `is used both as a colour texture and as a data texture (${slots.join(', ')})`;
  if (metadata.space === 'cmyk') return 'is CMYK; textures must be RGB';
  if (data && metadata.hasProfile) {
    return 'is a data texture (normal, metallic-roughness or occlusion) but embeds a colour profile';
  }
  if (colour && metadata.hasProfile && metadata.icc) {
    const description = metadata.icc.subarray(0, 512).toString('latin1');
    if (!/srgb/i.test(description)) return 'is a colour texture with a non-sRGB colour profile';
  }
  return undefined;
}

/**
 * The 2nd and 98th luminance percentiles of a base colour texture, over every pixel at full resolution.
 *
 * Why every pixel: a resized copy averages thin dark lines or specks into their surroundings (and its
 * resampling filter can ring below or above the real values near hard edges), so the verdict would depend on
 * the size of the copy. A 1024-bin histogram keeps this one pass and constant memory beyond the decoded image,
 * whose size the texture-size limit bounds (`limitInputPixels`).
 */
export async function luminancePercentiles(
  image: Uint8Array,
  limitInputPixels: number,
): Promise<{ low: number; high: number }> {
  const { data, info } = await sharp(image, { limitInputPixels })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const bins = new Uint32Array(LUMINANCE_BINS);
  const scale = (LUMINANCE_BINS - 1) / 255;
  const step = info.channels;
  let count = 0;
  for (let offset = 0; offset + 2 < data.length; offset += step) {
    const luminance = 0.2126 * data[offset]! + 0.7152 * data[offset + 1]! + 0.0722 * data[offset + 2]!;
    bins[Math.round(luminance * scale)]!++;
    count++;
  }
  const percentile = (share: number) => {
    const rank = Math.floor(count * share);
    let seen = 0;
    for (let bin = 0; bin < LUMINANCE_BINS; bin++) {
      seen += bins[bin]!;
      if (seen > rank) return bin / scale;
    }
    return 255;
  };
  return { low: percentile(0.02), high: percentile(0.98) };
}

const LUMINANCE_BINS = 1024;

async function baseColourRange(
  image: Uint8Array,
  range: { min: number; max: number },
  limitInputPixels: number,
): Promise<string | undefined> {
  // Percentiles rather than extremes: a few specks of pure black do not make a material unsafe.
  const { low, high } = await luminancePercentiles(image, limitInputPixels);
  if (low < range.min) return `has base colours darker than ${range.min} (2nd percentile ${Math.round(low)})`;
  if (high > range.max)
    return `has base colours brighter than ${range.max} (98th percentile ${Math.round(high)})`;
  return undefined;
}

function srgbLuminance(factor: ArrayLike<number>): number {
  const encode = (linear: number) =>
    255 * (linear <= 0.0031308 ? 12.92 * linear : 1.055 * linear ** (1 / 2.4) - 0.055);
  return 0.2126 * encode(factor[0]!) + 0.7152 * encode(factor[1]!) + 0.0722 * encode(factor[2]!);
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}

function mib(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}
