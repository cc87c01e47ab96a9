import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDescriptorSet } from '../lib/contracts/descriptors.ts';
import { createGpuContext, type GpuContext } from './gpu/create-gpu-context.ts';
import { cpuRasterize, iou } from './test-support/cpu-rasterize.ts';
import { alphaMask, FIXTURE_MODELS, renderFixture, sceneTriangles } from './test-support/render-fixture.ts';

let gpu: GpuContext;

beforeAll(async () => {
  gpu = await createGpuContext({ allowSoftware: true });
  console.log(`render tests run on ${JSON.stringify(gpu.summary)}`);
});

afterAll(() => gpu?.destroy());

describe('renderTurntable silhouettes match an independent CPU rasterisation', () => {
  it.each(Object.keys(FIXTURE_MODELS))('%s: IoU ≥ 0.97 in every frame', async (name) => {
    const rendered = await renderFixture(name, gpu);
    try {
      expect(rendered.manifest.adapter.backend).toBe(gpu.summary.backend);
      const triangles = sceneTriangles(rendered.scene);
      let covered = 0;
      const scores: number[] = [];
      for (const [k, frame] of rendered.manifest.frames.entries()) {
        const reference = cpuRasterize(triangles, rendered.manifest.camera, frame.angleDeg, 256);
        const gpuMask = alphaMask(rendered.frames[k]!);
        covered += reference.coverage.reduce((sum, value) => sum + value, 0);
        const score = iou(gpuMask, reference.coverage);
        scores.push(score);
        expect(score, `${name} frame ${k} (${frame.angleDeg}°) IoU`).toBeGreaterThanOrEqual(0.97);
      }
      console.log(`${name}: silhouette IoU per frame ${scores.map((x) => x.toFixed(4)).join(' ')}`);
      // A blank render would match a blank reference: make sure there was something to compare.
      expect(covered).toBeGreaterThan(256 * 256 * 0.05);
    } finally {
      await rendered.cleanup();
    }
  });
});

describe('turntable geometry', () => {
  it('frame k is the model turned by k·360/N counter-clockwise, and no other angle fits', async () => {
    const rendered = await renderFixture('Duck', gpu, { frames: 6 });
    try {
      const triangles = sceneTriangles(rendered.scene);
      const angles = rendered.manifest.frames.map((frame) => frame.angleDeg);
      expect(angles).toEqual([0, 60, 120, 180, 240, 300]);
      for (const [k, frame] of rendered.frames.entries()) {
        const mask = alphaMask(frame);
        const right = iou(
          mask,
          cpuRasterize(triangles, rendered.manifest.camera, (k * 360) / 6, 256).coverage,
        );
        // Clockwise instead of counter-clockwise, or one step off: the Duck is asymmetric enough to tell.
        const mirrored = iou(
          mask,
          cpuRasterize(triangles, rendered.manifest.camera, (-k * 360) / 6, 256).coverage,
        );
        const offByOne = iou(
          mask,
          cpuRasterize(triangles, rendered.manifest.camera, ((k + 1) * 360) / 6, 256).coverage,
        );
        expect(right).toBeGreaterThanOrEqual(0.97);
        expect(offByOne).toBeLessThan(right - 0.05);
        if (k !== 0 && k !== 3) expect(mirrored).toBeLessThan(right - 0.05);
      }
    } finally {
      await rendered.cleanup();
    }
  });

  it('keeps the whole product inside every frame, filling the frame where it is largest', async () => {
    const rendered = await renderFixture('DamagedHelmet', gpu, { frames: 8, fill: 0.9 });
    try {
      for (const [k, frame] of rendered.frames.entries()) {
        const mask = alphaMask(frame);
        for (let i = 0; i < 256; i++) {
          const border = [mask[i]!, mask[255 * 256 + i]!, mask[i * 256]!, mask[i * 256 + 255]!];
          expect(border.some(Boolean), `frame ${k} touches the border at ${i}`).toBe(false);
        }
      }
      const fills = rendered.manifest.frames.map((frame) => frame.fill);
      expect(Math.max(...fills)).toBeCloseTo(0.9, 2);
    } finally {
      await rendered.cleanup();
    }
  });
});

describe('shading', () => {
  it.each([
    ['Duck', 0],
    ['BoxTextured', 0],
  ])('%s: the mean colour is what its base colour texture predicts', async (name) => {
    const rendered = await renderFixture(name, gpu, { frames: 4, background: '#000000' });
    try {
      const primitive = rendered.scene.primitives[0]!;
      const material = rendered.scene.materials[primitive.material]!;
      const image = rendered.scene.images[material.baseColor!.image]!;
      const texture = await sharp(image.data).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const triangles = sceneTriangles(rendered.scene);
      const rendersum = [0, 0, 0];
      const predicted = [0, 0, 0];
      let pixels = 0;
      for (const [k, frame] of rendered.manifest.frames.entries()) {
        const raster = cpuRasterize(triangles, rendered.manifest.camera, frame.angleDeg, 256);
        const rgba = rendered.frames[k]!;
        for (let p = 0; p < 256 * 256; p++) {
          if (!raster.coverage[p] || Number.isNaN(raster.uv[p * 2]!)) continue;
          // Skip silhouette edges, where MSAA mixes in the background.
          const x = p % 256;
          const y = Math.floor(p / 256);
          if (x < 1 || y < 1 || x > 254 || y > 254) continue;
          if (
            !raster.coverage[p - 1] ||
            !raster.coverage[p + 1] ||
            !raster.coverage[p - 256] ||
            !raster.coverage[p + 256]
          ) {
            continue;
          }
          const u = wrap(raster.uv[p * 2]!);
          const v = wrap(raster.uv[p * 2 + 1]!);
          const tx = Math.min(texture.info.width - 1, Math.floor(u * texture.info.width));
          const ty = Math.min(texture.info.height - 1, Math.floor(v * texture.info.height));
          const t = (ty * texture.info.width + tx) * 4;
          for (let c = 0; c < 3; c++) {
            rendersum[c]! += srgbToLinear(rgba[p * 4 + c]! / 255);
            predicted[c]! += srgbToLinear(texture.data[t + c]! / 255) * material.baseColorFactor[c]!;
          }
          pixels++;
        }
      }
      expect(pixels).toBeGreaterThan(2000);
      const chroma = (rgb: number[]) => {
        const sum = rgb[0]! + rgb[1]! + rgb[2]!;
        return rgb.map((value) => value / sum);
      };
      const renderedChroma = chroma(rendersum);
      const predictedChroma = chroma(predicted);
      console.log(
        `${name}: rendered chromaticity ${fmt(renderedChroma)}, texture predicts ${fmt(predictedChroma)}`,
      );
      for (let c = 0; c < 3; c++)
        // The environment's white reflections (4% head-on, more at grazing angles) lift the darkest channel
        // of a saturated base colour, as in <model-viewer>: the rendered colour is a little less saturated.
        expect(Math.abs(renderedChroma[c]! - predictedChroma[c]!)).toBeLessThan(0.05);
      // Studio lighting is near unit brightness on a diffuse surface: within a factor of two of the albedo.
      const brightness =
        (rendersum[0]! + rendersum[1]! + rendersum[2]!) / (predicted[0]! + predicted[1]! + predicted[2]!);
      expect(brightness).toBeGreaterThan(0.5);
      expect(brightness).toBeLessThan(2);
    } finally {
      await rendered.cleanup();
    }
  });
});

describe('outputs', () => {
  it('writes frames, poster, descriptors and a manifest that lists them', async () => {
    const rendered = await renderFixture('BoxTextured', gpu, { frames: 3, formats: ['webp', 'png'] });
    try {
      const { manifest } = rendered;
      expect(manifest.frames.map((frame) => frame.files)).toEqual([
        { webp: '360/000.webp', png: '360/000.png' },
        { webp: '360/001.webp', png: '360/001.png' },
        { webp: '360/002.webp', png: '360/002.png' },
      ]);
      for (const file of manifest.files) {
        const bytes = await readFile(join(rendered.directory, file.path));
        expect(bytes.byteLength, file.path).toBe(file.bytes);
      }
      const poster = await sharp(join(rendered.directory, manifest.poster)).metadata();
      expect([poster.format, poster.width, poster.height]).toEqual(['webp', 256, 256]);
      const descriptors = parseDescriptorSet(
        JSON.parse(await readFile(join(rendered.directory, manifest.descriptors), 'utf8')),
      );
      expect(descriptors.frames.map((frame) => frame.angleDeg)).toEqual([0, 120, 240]);
      expect(manifest.adapter.software).toBe(gpu.summary.software);
      expect(manifest.timings.framesPerSecond).toBeGreaterThan(0);
    } finally {
      await rendered.cleanup();
    }
  });
});

function wrap(value: number): number {
  return value - Math.floor(value);
}

function srgbToLinear(value: number): number {
  return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
}

function fmt(values: number[]): string {
  return values.map((value) => value.toFixed(3)).join('/');
}
