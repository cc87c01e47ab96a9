import type { ProfileOutcome } from '../../lib/contracts/validation-result.ts';

/** The limits of one storefront; unset fields are not checked. Sources in docs/validation.md. */
export interface StorefrontProfile {
  id: string;
  title: string;
  /** Where the limits come from. */
  source: string;
  maxFileBytes?: number;
  maxTriangles?: number;
  maxMaterials?: number;
  maxMeshes?: number;
  minTextureSize?: number;
  maxTextureSize?: number;
  powerOfTwoTextures?: boolean;
  /** Texture MIME types accepted. */
  textureMimeTypes?: string[];
  /** Whether UVs must stay within 0–1. */
  uvInUnitRange?: boolean;
  /** Largest extent (m) the model may have; also rejects models under 1 cm. */
  maxExtentMeters?: number;
  requirePbr?: boolean;
  requireBaseColorTexture?: boolean;
}

const MB = 1000 * 1000;

/** The storefront profiles every report is measured against. */
export const STOREFRONT_PROFILES: StorefrontProfile[] = [
  {
    id: 'khronos-web',
    title: 'Khronos real-time web (3D Commerce Asset Auditor, khronos-recommended)',
    source:
      'KhronosGroup/gltf-asset-auditor tests/schemas/khronos-recommended.json; Khronos Real-time Asset Creation Guidelines',
    maxFileBytes: 5120 * 1024,
    maxTriangles: 100_000,
    maxMaterials: 5,
    maxMeshes: 5,
    minTextureSize: 512,
    maxTextureSize: 2048,
    powerOfTwoTextures: true,
    uvInUnitRange: true,
    maxExtentMeters: 100,
    requirePbr: true,
  },
  {
    id: 'amazon-3d',
    title: 'Amazon 3D (general 3D guidelines for product models)',
    source:
      'Amazon 3D model general guidelines (Seller/Vendor Central): < 150k triangles, PNG/JPG textures 2048–4096 px, metal/roughness PBR, real-world scale',
    maxTriangles: 150_000,
    minTextureSize: 2048,
    maxTextureSize: 4096,
    textureMimeTypes: ['image/png', 'image/jpeg'],
    requirePbr: true,
    requireBaseColorTexture: true,
  },
  {
    id: 'shopify',
    title: 'Shopify 3D models (Shopify Partners 3D modeling checklist)',
    source:
      'help.shopify.com partners/resources/creating-media/3d-models/creating-3d-models/3d-modeling-checklist',
    maxFileBytes: 15 * MB,
    maxMaterials: 1,
    requirePbr: true,
    requireBaseColorTexture: true,
  },
  {
    id: 'google-shopping',
    title: 'Google Search / Shopping 3D (Merchant Center virtual_model_link)',
    source:
      'support.google.com/merchants/answer/13674896: glTF/GLB, recommended 10 MB, at most 15 MB, textures up to 2K',
    maxFileBytes: 15 * MB,
    maxTextureSize: 2048,
  },
];

/** What the profiles are judged on: figures of the delivered model. */
export interface ProfileFacts {
  fileBytes: number;
  triangles: number;
  materials: number;
  meshes: number;
  textures: { width: number; height: number; mimeType: string; slots: string[] }[];
  uvRange?: { min: [number, number]; max: [number, number] };
  largestExtentMeters: number;
  /** Whether every material is metallic-roughness. */
  pbr: boolean;
}

/**
 * Says, for each profile, whether the model meets it and which limits it misses (codes like
 * `maxFileBytes`, `maxTriangles`). Pure: the facts come from the checks that already ran.
 */
export function evaluateProfiles(
  facts: ProfileFacts,
  profiles: StorefrontProfile[] = STOREFRONT_PROFILES,
): ProfileOutcome[] {
  return profiles.map((profile) => {
    const missed: string[] = [];
    const sizes = facts.textures.map((texture) => Math.max(texture.width, texture.height));
    if (profile.maxFileBytes !== undefined && facts.fileBytes > profile.maxFileBytes)
      missed.push('maxFileBytes');
    if (profile.maxTriangles !== undefined && facts.triangles > profile.maxTriangles)
      missed.push('maxTriangles');
    if (profile.maxMaterials !== undefined && facts.materials > profile.maxMaterials)
      missed.push('maxMaterials');
    if (profile.maxMeshes !== undefined && facts.meshes > profile.maxMeshes) missed.push('maxMeshes');
    if (profile.maxTextureSize !== undefined && sizes.some((size) => size > profile.maxTextureSize!)) {
      missed.push('maxTextureSize');
    }
    if (profile.minTextureSize !== undefined && sizes.some((size) => size < profile.minTextureSize!)) {
      missed.push('minTextureSize');
    }
    if (
      profile.powerOfTwoTextures &&
      facts.textures.some((texture) => !isPowerOfTwo(texture.width) || !isPowerOfTwo(texture.height))
    ) {
      missed.push('powerOfTwoTextures');
    }
    if (
      profile.textureMimeTypes &&
      facts.textures.some((texture) => !profile.textureMimeTypes!.includes(texture.mimeType))
    ) {
      missed.push('textureMimeTypes');
    }
    if (profile.uvInUnitRange && facts.uvRange) {
      const { min, max } = facts.uvRange;
      if (min[0] < 0 || min[1] < 0 || max[0] > 1 || max[1] > 1) missed.push('uvInUnitRange');
    }
    if (
      profile.maxExtentMeters !== undefined &&
      (facts.largestExtentMeters > profile.maxExtentMeters || facts.largestExtentMeters < 0.01)
    ) {
      missed.push('maxExtentMeters');
    }
    if (profile.requirePbr && !facts.pbr) missed.push('requirePbr');
    if (
      profile.requireBaseColorTexture &&
      !facts.textures.some((texture) => texture.slots.includes('baseColor'))
    ) {
      missed.push('requireBaseColorTexture');
    }
    return { id: profile.id, met: missed.length === 0, missed };
  });
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}
