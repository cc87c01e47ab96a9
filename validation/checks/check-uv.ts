import type { Document, Material, TextureInfo } from '@gltf-transform/core';
import { type Finding, finding } from '../findings.ts';
import type { UvPolicy } from '../policy/policy.ts';
import { forEachTriangle, readFloats, triangleArea2 } from './geometry.ts';

/** UV figures of a model. */
export interface UvStats {
  texturedTriangles: number;
  zeroAreaUvTriangles: number;
  /** Range of TEXCOORD_0 over every textured primitive, `[min, max]`, or undefined without UVs. */
  range?: { min: [number, number]; max: [number, number] };
}

/** Outcome of {@link checkUv}. */
export interface UvOutcome {
  findings: Finding[];
  stats: UvStats;
}

/** The texture-info slots of a metallic-roughness material (extensions' textures are read by their owners). */
export function materialTextureInfos(
  material: Material,
): { slot: string; info: TextureInfo | null; texture: boolean }[] {
  return [
    {
      slot: 'baseColor',
      info: material.getBaseColorTextureInfo(),
      texture: !!material.getBaseColorTexture(),
    },
    {
      slot: 'metallicRoughness',
      info: material.getMetallicRoughnessTextureInfo(),
      texture: !!material.getMetallicRoughnessTexture(),
    },
    { slot: 'normal', info: material.getNormalTextureInfo(), texture: !!material.getNormalTexture() },
    {
      slot: 'occlusion',
      info: material.getOcclusionTextureInfo(),
      texture: !!material.getOcclusionTexture(),
    },
    { slot: 'emissive', info: material.getEmissiveTextureInfo(), texture: !!material.getEmissiveTexture() },
  ];
}

/**
 * The UV stage: every textured primitive has the texture coordinates its textures use (TEXCOORD_0 at
 * least), UVs stay in 0–1 (a warning: tiling textures leave it on purpose), and the share of textured
 * triangles with zero UV area stays under the policy.
 */
export function checkUv(document: Document, policy: UvPolicy, file: string): UvOutcome {
  const findings: Finding[] = [];
  let textured = 0;
  let zeroArea = 0;
  const min: [number, number] = [Infinity, Infinity];
  const max: [number, number] = [-Infinity, -Infinity];
  document
    .getRoot()
    .listMeshes()
    .forEach((mesh, meshIndex) => {
      mesh.listPrimitives().forEach((primitive, primitiveIndex) => {
        const material = primitive.getMaterial();
        if (!material) return;
        const used = materialTextureInfos(material).filter((slot) => slot.texture);
        if (used.length === 0) return;
        const location = {
          file,
          pointer: `/meshes/${meshIndex}/primitives/${primitiveIndex}`,
          name: mesh.getName() || undefined,
        };
        const sets = new Set(used.map((slot) => slot.info?.getTexCoord() ?? 0));
        sets.add(0);
        const missing = [...sets].filter((set) => !primitive.getAttribute(`TEXCOORD_${set}`));
        if (missing.length > 0) {
          findings.push(
            finding(
              'UV_MISSING_TEXCOORD',
              `A textured primitive has no ${missing.map((set) => `TEXCOORD_${set}`).join(', ')}.`,
              clean(location),
            ),
          );
          return;
        }
        const uv = readFloats(primitive.getAttribute('TEXCOORD_0')!);
        for (let i = 0; i + 1 < uv.length; i += 2) {
          const u = uv[i]!;
          const v = uv[i + 1]!;
          if (u < min[0]) min[0] = u;
          if (u > max[0]) max[0] = u;
          if (v < min[1]) min[1] = v;
          if (v > max[1]) max[1] = v;
        }
        textured += forEachTriangle(primitive, (a, b, c) => {
          if (triangleArea2(uv, a, b, c) < 1e-12) zeroArea++;
        });
      });
    });
  const stats: UvStats = { texturedTriangles: textured, zeroAreaUvTriangles: zeroArea };
  if (textured === 0) return { findings, stats };
  stats.range = { min, max };
  const margin = policy.rangeMargin;
  if (min[0] < -margin || min[1] < -margin || max[0] > 1 + margin || max[1] > 1 + margin) {
    findings.push(
      finding(
        'UV_OUT_OF_RANGE',
        `UVs span (${min.map(round).join(', ')}) to (${max.map(round).join(', ')}), outside 0–1.`,
        { file },
      ),
    );
  }
  if (zeroArea / textured > policy.maxZeroAreaShare) {
    findings.push(
      finding(
        'UV_ZERO_AREA',
        `${zeroArea} of ${textured} textured triangles have zero UV area (limit ${policy.maxZeroAreaShare * 100}%).`,
        { file },
      ),
    );
  }
  return { findings, stats };
}

function clean(location: { file: string; pointer: string; name: string | undefined }) {
  return location.name ? location : { file: location.file, pointer: location.pointer };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
