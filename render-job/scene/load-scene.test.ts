import { readFile } from 'node:fs/promises';
import { Document } from '@gltf-transform/core';
import { KHRMaterialsIridescence, KHRTextureBasisu } from '@gltf-transform/extensions';
import { describe, expect, it } from 'vitest';
import { materialModel } from '../test-support/material-models.ts';
import { fixturePath } from '../test-support/render-fixture.ts';
import { loadScene } from './load-scene.ts';
import { readModel } from './read-model.ts';

async function load(name: string) {
  const path = fixturePath(name);
  return loadScene(await readModel({ bytes: await readFile(path), name, path }));
}

describe('loadScene', () => {
  // Bounds of scene 0 as listed in test/fixtures/README.md (from glTF-Transform inspect): they only come
  // out right when node transforms (Box and Duck carry a rotation; DamagedHelmet a rotation; Fox a skin)
  // and compressed geometry are applied.
  it.each([
    ['Box', [-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]],
    ['BoxDraco', [-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]],
    ['Duck', [-0.69298, 0.09929, -0.61328], [0.9618, 1.6397, 0.53925]],
    ['DamagedHelmet', [-0.94746, -0.90097, -1.18716], [0.9425, 0.901, 0.81285]],
    ['Fox', [-12.59272, -0.12174, -88.095], [12.59272, 78.90719, 66.62486]],
    ['TextureTransformTest', [-1.6, -1.14127, 0], [1.6, 1.05, 0.01]],
    ['Mixer', [-0.10581, 3e-5, -0.16576], [0.10581, 0.29952, 0.1537]],
  ])('%s: world bounds match the fixture notes', async (name, min, max) => {
    const scene = await load(name);
    for (let axis = 0; axis < 3; axis++) {
      expect(scene.bounds.min[axis]).toBeCloseTo(min[axis]!, 3);
      expect(scene.bounds.max[axis]).toBeCloseTo(max[axis]!, 3);
    }
  });

  it('reads materials: textures, KHR_texture_transform, generated tangents', async () => {
    const helmet = await load('DamagedHelmet');
    const material = helmet.materials[0]!;
    expect(
      Object.keys(material).filter((key) => material[key as keyof typeof material] && key.length > 0),
    ).toEqual(expect.arrayContaining(['baseColor', 'metallicRoughness', 'normal', 'occlusion', 'emissive']));
    expect(helmet.images.filter((image) => image.srgb)).toHaveLength(2);
    const tangents = helmet.primitives[0]!.tangents;
    expect(tangents.length).toBe((helmet.primitives[0]!.positions.length / 3) * 4);
    expect(Math.hypot(tangents[0]!, tangents[1]!, tangents[2]!)).toBeCloseTo(1, 4);

    const transformed = await load('TextureTransformTest');
    const transforms = transformed.materials.map((m) => m.baseColor?.transform).filter(Boolean);
    expect(transforms.some((t) => t![0] !== 1 || t![2] !== 0 || t![5] !== 0)).toBe(true);
  });

  it('reads the factors of the shaded material extensions and names what it does not shade', async () => {
    const bytes = await materialModel('SheenCushion');
    const document = await readModel({ bytes, name: 'cushion.glb' });
    const material = document.getRoot().listMaterials()[0]!;
    const iridescence = document.createExtension(KHRMaterialsIridescence).createIridescence();
    material.setExtension('KHR_materials_iridescence', iridescence.setIridescenceFactor(1));
    const warnings: Array<{ fields: unknown; message: string }> = [];
    const scene = loadScene(document, {
      warn: (fields: unknown, message: string) => warnings.push({ fields, message }),
    } as never);
    expect(scene.materials[0]).toMatchObject({ sheenColor: [1, 0.55, 0.55], sheenRoughness: 0.5, ior: 1.5 });
    expect(warnings).toEqual([
      expect.objectContaining({ fields: { extensions: ['KHR_materials_iridescence'] } }),
    ]);
  });

  it('refuses a model that requires an extension the renderer does not implement', () => {
    const document = new Document();
    document.createExtension(KHRTextureBasisu).setRequired(true);
    const buffer = document.createBuffer();
    const position = document
      .createAccessor()
      .setType('VEC3')
      .setArray(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]))
      .setBuffer(buffer);
    const mesh = document
      .createMesh()
      .addPrimitive(document.createPrimitive().setAttribute('POSITION', position));
    document.createScene().addChild(document.createNode().setMesh(mesh));
    expect(() => loadScene(document)).toThrow(/requires KHR_texture_basisu/);
  });

  it('reports an unreadable file as SHAZAM_RENDER_SOURCE_INVALID', async () => {
    await expect(
      readModel({ bytes: new TextEncoder().encode('not a glb'), name: 'broken.glb' }),
    ).rejects.toMatchObject({
      code: 'SHAZAM_RENDER_SOURCE_INVALID',
    });
  });
});
