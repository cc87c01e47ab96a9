import type { Document } from '@gltf-transform/core';
import { getBounds } from '@gltf-transform/functions';
import { Box3, type BufferGeometry, Mesh, type Object3D } from 'three';
import { strFromU8, unzipSync } from 'three/examples/jsm/libs/fflate.module.js';
import { USDLoader } from 'three/examples/jsm/loaders/USDLoader.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGltfIO } from '../gltf/create-io.ts';
import { exportUsdz } from './export-usdz.ts';
import { checkUsdzPackage, listUsdzEntries } from './usdz-package.ts';

/** Every model in test/fixtures/models (the draco and meshopt-free sources as delivered). */
const FIXTURES = [
  'Box/glTF-Binary/Box.glb',
  'BoxTextured/glTF-Binary/BoxTextured.glb',
  'BoxDraco/glTF-Binary-Draco/Box_Draco.glb',
  'Duck/glTF-Binary/Duck.glb',
  'Fox/glTF/Fox.gltf',
  'TextureTransformTest/glTF/TextureTransformTest.gltf',
  'DamagedHelmet/glTF-Binary/DamagedHelmet.glb',
  'WaterBottle/glTF/WaterBottle.gltf',
  'Mixer/glTF-Binary/Mixer.glb',
];

interface ModelFigures {
  triangles: number;
  min: number[];
  max: number[];
  materials: number;
}

function gltfFigures(document: Document): ModelFigures {
  const root = document.getRoot();
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  if (!scene) throw new Error('no scene');
  let triangles = 0;
  const materials = new Set<unknown>();
  scene.traverse((node) => {
    for (const primitive of node.getMesh()?.listPrimitives() ?? []) {
      const count = (primitive.getIndices() ?? primitive.getAttribute('POSITION'))?.getCount() ?? 0;
      triangles += count / 3;
      materials.add(primitive.getMaterial());
    }
  });
  const { min, max } = getBounds(scene);
  return { triangles, min, max, materials: materials.size };
}

/**
 * Materials bound in the root layer that it defines: three.js's USDLoader makes one material per binding,
 * so the count is read from the USDA text.
 */
function boundMaterials(usdz: Uint8Array): number {
  const layer = strFromU8(unzipSync(usdz, {})['model.usda'] ?? new Uint8Array());
  const defined = new Set(
    [...layer.matchAll(/def Material "([^"]+)"/g)].map((match) => `/Materials/${match[1]}`),
  );
  const bound = new Set([...layer.matchAll(/rel material:binding = <([^>]+)>/g)].map((match) => match[1]));
  return [...bound].filter((path) => path !== undefined && defined.has(path)).length;
}

function usdFigures(root: Object3D, usdz: Uint8Array): ModelFigures {
  let triangles = 0;
  root.updateMatrixWorld(true);
  root.traverse((object) => {
    if (!(object instanceof Mesh)) return;
    const geometry = object.geometry as BufferGeometry;
    triangles += (geometry.index ?? geometry.getAttribute('position')).count / 3;
  });
  const box = new Box3().setFromObject(root);
  return { triangles, min: box.min.toArray(), max: box.max.toArray(), materials: boundMaterials(usdz) };
}

describe('exportUsdz on every fixture model', () => {
  beforeAll(() => {
    // USDLoader hands textures to an HTML image; in Node an inert one keeps the geometry readable.
    (globalThis as { Image?: unknown }).Image ??= class {
      onload: (() => void) | null = null;
      src = '';
    };
  });

  it.each(FIXTURES)(
    '%s: a valid package that reads back with the GLB’s triangles, bounds and materials',
    async (path) => {
      const io = await createGltfIO();
      const document = await io.read(`test/fixtures/models/${path}`);
      const expected = gltfFigures(document);
      const usdz = await exportUsdz(document);

      expect(checkUsdzPackage(usdz)).toEqual([]);
      const entries = listUsdzEntries(usdz);
      expect(entries[0]?.name).toBe('model.usda');
      expect(entries.every((entry) => entry.method === 0 && entry.dataOffset % 64 === 0)).toBe(true);

      const actual = usdFigures(
        new USDLoader().parse(
          usdz.buffer.slice(usdz.byteOffset, usdz.byteOffset + usdz.byteLength) as ArrayBuffer,
        ),
        usdz,
      );
      expect(actual.triangles).toBe(expected.triangles);
      expect(actual.materials).toBe(expected.materials);
      const size = Math.max(...expected.max.map((value, axis) => value - (expected.min[axis] ?? 0)));
      for (let axis = 0; axis < 3; axis++) {
        expect(Math.abs((actual.min[axis] ?? 0) - (expected.min[axis] ?? 0))).toBeLessThan(size * 1e-4);
        expect(Math.abs((actual.max[axis] ?? 0) - (expected.max[axis] ?? 0))).toBeLessThan(size * 1e-4);
      }
    },
  );
});
