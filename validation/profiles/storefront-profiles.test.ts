import { describe, expect, it } from 'vitest';
import { evaluateProfiles, type ProfileFacts } from './storefront-profiles.ts';

const texture = (size: number, mimeType = 'image/png', slots = ['baseColor']) => ({
  width: size,
  height: size,
  mimeType,
  slots,
});

function facts(patch: Partial<ProfileFacts> = {}): ProfileFacts {
  return {
    fileBytes: 3_000_000,
    triangles: 50_000,
    materials: 1,
    meshes: 1,
    textures: [texture(2048), texture(2048, 'image/jpeg', ['normal'])],
    uvRange: { min: [0, 0], max: [1, 1] },
    largestExtentMeters: 0.4,
    pbr: true,
    ...patch,
  };
}

const missed = (patch: Partial<ProfileFacts>) =>
  Object.fromEntries(evaluateProfiles(facts(patch)).map((outcome) => [outcome.id, outcome.missed]));

describe('evaluateProfiles', () => {
  it('meets every profile with a 3 MB, 50k-triangle, 2048 px PBR model', () => {
    expect(evaluateProfiles(facts()).every((outcome) => outcome.met)).toBe(true);
  });

  it.each([
    // each row: what changes, and which profiles miss which limit
    [
      { fileBytes: 6_000_000 },
      { 'khronos-web': ['maxFileBytes'], 'amazon-3d': [], shopify: [], 'google-shopping': [] },
    ],
    [
      { fileBytes: 16_000_000 },
      {
        'khronos-web': ['maxFileBytes'],
        'amazon-3d': [],
        shopify: ['maxFileBytes'],
        'google-shopping': ['maxFileBytes'],
      },
    ],
    [
      { triangles: 120_000 },
      { 'khronos-web': ['maxTriangles'], 'amazon-3d': [], shopify: [], 'google-shopping': [] },
    ],
    [
      { triangles: 160_000 },
      { 'khronos-web': ['maxTriangles'], 'amazon-3d': ['maxTriangles'], shopify: [], 'google-shopping': [] },
    ],
    [
      { textures: [texture(4096)] },
      {
        'khronos-web': ['maxTextureSize'],
        'amazon-3d': [],
        shopify: [],
        'google-shopping': ['maxTextureSize'],
      },
    ],
    [
      { textures: [texture(1024)] },
      { 'khronos-web': [], 'amazon-3d': ['minTextureSize'], shopify: [], 'google-shopping': [] },
    ],
    [
      { textures: [texture(2048, 'image/webp')] },
      { 'khronos-web': [], 'amazon-3d': ['textureMimeTypes'], shopify: [], 'google-shopping': [] },
    ],
    [
      { materials: 2 },
      { 'khronos-web': [], 'amazon-3d': [], shopify: ['maxMaterials'], 'google-shopping': [] },
    ],
    [
      { uvRange: { min: [-1, 0], max: [2, 1] } },
      { 'khronos-web': ['uvInUnitRange'], 'amazon-3d': [], shopify: [], 'google-shopping': [] },
    ],
    [
      { pbr: false },
      {
        'khronos-web': ['requirePbr'],
        'amazon-3d': ['requirePbr'],
        shopify: ['requirePbr'],
        'google-shopping': [],
      },
    ],
    [
      { textures: [] },
      {
        'khronos-web': [],
        'amazon-3d': ['requireBaseColorTexture'],
        shopify: ['requireBaseColorTexture'],
        'google-shopping': [],
      },
    ],
  ] as [Partial<ProfileFacts>, Record<string, string[]>][])('%j → %j', (patch, expected) => {
    expect(missed(patch)).toEqual(expected);
  });
});
