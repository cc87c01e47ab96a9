/**
 * Test helpers: render a fixture model through the real pipeline into a temporary folder and read the
 * frames back as RGBA.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseRenderManifest, type RenderManifest } from '../../lib/contracts/render-manifest.ts';
import type { GpuContext } from '../gpu/create-gpu-context.ts';
import { directorySink } from '../output/directory-sink.ts';
import { type RenderTurntableOptions, renderTurntable } from '../render-turntable.ts';
import { loadScene } from '../scene/load-scene.ts';
import { readModel } from '../scene/read-model.ts';
import type { Scene } from '../scene/scene-types.ts';
import type { CpuTriangles } from './cpu-rasterize.ts';

/** Fixture models (path under test/fixtures/models). */
export const FIXTURE_MODELS: Record<string, string> = {
  Box: 'Box/glTF-Binary/Box.glb',
  BoxDraco: 'BoxDraco/glTF-Binary-Draco/Box_Draco.glb',
  BoxTextured: 'BoxTextured/glTF-Binary/BoxTextured.glb',
  DamagedHelmet: 'DamagedHelmet/glTF-Binary/DamagedHelmet.glb',
  Duck: 'Duck/glTF-Binary/Duck.glb',
  Fox: 'Fox/glTF/Fox.gltf',
  Mixer: 'Mixer/glTF-Binary/Mixer.glb',
  TextureTransformTest: 'TextureTransformTest/glTF/TextureTransformTest.gltf',
  WaterBottle: 'WaterBottle/glTF/WaterBottle.gltf',
};

/** Absolute path of a fixture model. */
export function fixturePath(name: string): string {
  const relative = FIXTURE_MODELS[name];
  if (!relative) throw new Error(`no fixture model named ${name}`);
  return join(import.meta.dirname, '../../test/fixtures/models', relative);
}

/** A rendered fixture: manifest, frames as RGBA, and the scene the renderer saw. */
export interface RenderedFixture {
  manifest: RenderManifest;
  frames: Uint8Array[];
  scene: Scene;
  directory: string;
  cleanup(): Promise<void>;
}

/** Renders fixture `name` with PNG frames and returns everything a test compares. */
export async function renderFixture(
  name: string,
  gpu: GpuContext,
  options: RenderTurntableOptions = {},
): Promise<RenderedFixture> {
  const path = fixturePath(name);
  const bytes = await readFile(path);
  const directory = await mkdtemp(join(tmpdir(), `render-${name}-`));
  const manifest = parseRenderManifest(
    await renderTurntable({ bytes, uri: path, path }, directorySink(directory), {
      resolution: 256,
      frames: 4,
      formats: ['png'],
      // Silhouettes are compared through alpha.
      background: 'transparent',
      ...options,
      gpu,
    }),
  );
  const frames = await Promise.all(
    manifest.frames.map(async (frame) => {
      const file = join(directory, frame.files.png ?? frame.files.webp ?? '');
      const { data } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      return new Uint8Array(data);
    }),
  );
  const scene = loadScene(await readModel({ bytes, name, path }));
  return {
    manifest,
    frames,
    scene,
    directory,
    cleanup: () => rm(directory, { recursive: true, force: true }),
  };
}

/** The scene's triangles for the CPU rasteriser, one set per primitive, tagged with the primitive index. */
export function sceneTriangles(scene: Scene): CpuTriangles[] {
  return scene.primitives.map((primitive, id) => ({
    positions: primitive.positions,
    indices: primitive.indices,
    doubleSided: scene.materials[primitive.material]!.doubleSided,
    uvs: primitive.uv0,
    id,
  }));
}

/** 1 where a frame's alpha is at least half. */
export function alphaMask(rgba: Uint8Array): Uint8Array {
  const mask = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < mask.length; i++) mask[i] = rgba[i * 4 + 3]! >= 128 ? 1 : 0;
  return mask;
}
