import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuContext, type GpuContext } from '../gpu/create-gpu-context.ts';
import type { OutputSink } from '../output/output-sink.ts';
import { renderTurntable } from '../render-turntable.ts';
import {
  type MaterialModelName,
  type MaterialModelOptions,
  materialModel,
} from '../test-support/material-models.ts';
import { fixturePath } from '../test-support/render-fixture.ts';
import { mergeRegionStats, productRegionStats, type RegionStats } from './product-region.ts';

const REFERENCE = JSON.parse(
  await readFile(join(import.meta.dirname, '../../test/fixtures/look/model-viewer-256.json'), 'utf8'),
) as {
  resolution: number;
  elevationDeg: number;
  anglesDeg: number[];
  models: Record<string, { brightness: number; meanRgb: [number, number, number] }>;
};

let gpu: GpuContext;

beforeAll(async () => {
  gpu = await createGpuContext({ allowSoftware: true });
});

afterAll(() => gpu?.destroy());

/** Frames (RGBA, transparent background) of a model at the reference's angles, elevation and size. */
async function render(bytes: Uint8Array, path: string): Promise<Uint8Array[]> {
  const pngs = new Map<string, Uint8Array>();
  const sink: OutputSink = {
    locate: (file) => `memory:${file}`,
    async write(file, data) {
      pngs.set(file, data);
    },
  };
  const manifest = await renderTurntable({ bytes, uri: path, path }, sink, {
    gpu,
    frames: REFERENCE.anglesDeg.length,
    resolution: REFERENCE.resolution,
    elevationDeg: REFERENCE.elevationDeg,
    background: 'transparent',
    formats: ['png'],
  });
  return Promise.all(
    manifest.frames.map(async (frame) => {
      const { data } = await sharp(pngs.get(frame.files.png!)!)
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }),
  );
}

async function stats(frames: Uint8Array[]): Promise<RegionStats> {
  return mergeRegionStats(frames.map((frame) => productRegionStats(frame)));
}

async function renderMaterial(name: MaterialModelName, options: MaterialModelOptions = {}) {
  return render(await materialModel(name, options), `${name}.glb`);
}

/** Luma of the brightest 2% of the product's pixels: where the highlights are. */
function highlightLuma(frames: Uint8Array[]): number {
  const values: number[] = [];
  for (const frame of frames) {
    for (let i = 0; i < frame.length; i += 4) {
      if (frame[i + 3]! >= 250)
        values.push(0.2126 * frame[i]! + 0.7152 * frame[i + 1]! + 0.0722 * frame[i + 2]!);
    }
  }
  values.sort((a, b) => b - a);
  return values[Math.floor(values.length * 0.02)]!;
}

describe('material extensions are shaded', () => {
  it('KHR_materials_sheen: a sheen cloth is lighter and less saturated than the same cloth without it', async () => {
    const sheen = await stats(await renderMaterial('SheenCushion'));
    const plain = await stats(await renderMaterial('SheenCushion', { withoutExtension: true }));
    console.log(
      `SheenCushion brightness with sheen ${sheen.brightness.toFixed(3)}, without ${plain.brightness.toFixed(3)}`,
    );
    expect(sheen.brightness).toBeGreaterThan(plain.brightness * 1.1);
    // The sheen colour is paler than the base: the red share drops.
    expect(sheen.chromaticity[0]).toBeLessThan(plain.chromaticity[0] - 0.02);
  });

  it('KHR_materials_clearcoat: a rough paint gains sharp highlights under its clear coat', async () => {
    const coated = highlightLuma(await renderMaterial('ClearcoatSphere'));
    const bare = highlightLuma(await renderMaterial('ClearcoatSphere', { withoutExtension: true }));
    console.log(`ClearcoatSphere highlight luma with coat ${coated}, without ${bare}`);
    expect(coated).toBeGreaterThan(bare + 20);
  });

  it('KHR_materials_transmission: a glass sphere lets the background through', async () => {
    const alphaOf = (frames: Uint8Array[]) => {
      let covered = 0;
      let sum = 0;
      for (const frame of frames) {
        for (let i = 3; i < frame.length; i += 4) {
          if (frame[i]! > 0) {
            covered++;
            sum += frame[i]! / 255;
          }
        }
      }
      return sum / covered;
    };
    const glass = alphaOf(await renderMaterial('GlassSphere'));
    const solid = alphaOf(await renderMaterial('GlassSphere', { withoutExtension: true }));
    console.log(`GlassSphere mean coverage ${glass.toFixed(3)} (opaque version ${solid.toFixed(3)})`);
    expect(solid).toBeGreaterThan(0.97);
    expect(glass).toBeLessThan(0.5);
  });

  it('KHR_materials_specular and _ior: a tinted, denser reflection changes the highlights', async () => {
    const tinted = await stats(await renderMaterial('SpecularSphere'));
    const plain = await stats(await renderMaterial('SpecularSphere', { withoutExtension: true }));
    // A yellow specular colour and IOR 1.8 (F0 8% instead of 4%) add red and green to a blue sphere.
    expect(tinted.meanRgb[0]).toBeGreaterThan(plain.meanRgb[0] * 1.05);
    expect(tinted.chromaticity[2]).toBeLessThan(plain.chromaticity[2]);
  });
});

describe('brightness and colour against <model-viewer> (recorded reference)', () => {
  // Measured on llvmpipe: ratios 0.96–1.04 (docs/render.md); the bound leaves room for rasteriser noise.
  const TOLERANCE = 0.07;
  const fixtures = ['Duck', 'Mixer', 'DamagedHelmet'];
  // The thin ring is left out: at 256 px model-viewer's figure for it moves with its resolution (0.344 at
  // 256 px, 0.313 at 512 px), so it is compared in the benchmark at 512 px only.
  const made: MaterialModelName[] = ['SheenCushion', 'ClearcoatSphere', 'SpecularSphere'];

  it.each([...fixtures, ...made])('%s: product brightness within 7% of model-viewer’s', async (name) => {
    const frames = fixtures.includes(name)
      ? await render(await readFile(fixturePath(name)), fixturePath(name))
      : await renderMaterial(name as MaterialModelName);
    const ours = await stats(frames);
    const reference = REFERENCE.models[name]!;
    const ratio = ours.brightness / reference.brightness;
    console.log(
      `${name}: brightness ${ours.brightness.toFixed(3)} vs model-viewer ${reference.brightness} (ratio ${ratio.toFixed(3)})`,
    );
    expect(Math.abs(ratio - 1)).toBeLessThan(TOLERANCE);
    for (let c = 0; c < 3; c++) {
      // Channels compared in absolute terms: a relative error on a near-zero channel says little.
      expect(Math.abs(ours.meanRgb[c]! - reference.meanRgb[c]!)).toBeLessThan(0.06);
    }
  });
});
