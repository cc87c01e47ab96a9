import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createGpuContext, type GpuContext } from '../../render-job/gpu/create-gpu-context.ts';
import { renderFixture } from '../../render-job/test-support/render-fixture.ts';
import { parseDescriptorSet } from '../contracts/descriptors.ts';
import { assessDelivery } from './assess-delivery.ts';
import { compareColours, compareShapes } from './assess-reference.ts';
import { productView, type RgbaImage } from './product-view.ts';
import { ssim } from './ssim.ts';
import { evaluateLabelledSet } from './test-support/labelled-set.ts';
import { FIDELITY_THRESHOLDS, judge } from './verdict.ts';

/** A white image with an L-shaped product: a bar and a foot to the right (not mirror-symmetric). */
function lShape(
  width: number,
  height: number,
  box: { x: number; y: number; w: number; h: number },
  colour: [number, number, number],
): RgbaImage {
  const data = new Uint8Array(width * height * 4).fill(255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x - box.x) / box.w;
      const v = (y - box.y) / box.h;
      const bar = u >= 0 && u < 0.3 && v >= 0 && v < 1;
      const foot = u >= 0 && u < 1 && v >= 0.75 && v < 1;
      if (!bar && !foot) continue;
      const o = (y * width + x) * 4;
      data[o] = colour[0];
      data[o + 1] = colour[1];
      data[o + 2] = colour[2];
    }
  }
  return { data, width, height };
}

function flop(image: RgbaImage): RgbaImage {
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const from = (y * image.width + x) * 4;
      const to = (y * image.width + image.width - 1 - x) * 4;
      data.set(image.data.subarray(from, from + 4), to);
    }
  }
  return { ...image, data };
}

describe('aligned views', () => {
  const red: [number, number, number] = [200, 30, 30];
  const product = lShape(200, 200, { x: 40, y: 30, w: 100, h: 120 }, red);

  it('line up the same product photographed at another scale and place', () => {
    const elsewhere = lShape(400, 300, { x: 210, y: 20, w: 200 * 0.9, h: 240 * 0.9 }, red);
    const shapes = compareShapes(productView(product), productView(elsewhere));
    expect(shapes.iou).toBeGreaterThan(0.95);
    expect(compareColours(productView(product), productView(elsewhere))).toBeLessThan(1);
  });

  it('tell a mirrored, a stretched and a recoloured product apart', () => {
    const view = productView(product);
    expect(compareShapes(view, productView(flop(product))).iou).toBeLessThan(0.7);
    const stretched = lShape(200, 200, { x: 20, y: 30, w: 160, h: 120 }, red);
    expect(compareShapes(view, productView(stretched)).iou).toBeLessThan(0.85);
    const green = lShape(200, 200, { x: 40, y: 30, w: 100, h: 120 }, [30, 170, 40]);
    expect(compareColours(view, productView(green))).toBeGreaterThan(FIDELITY_THRESHOLDS.mismatch.maxDeltaE);
  });

  it('count a photo that the product fills as a close-up', () => {
    expect(productView(product).closeUp).toBe(false);
    expect(productView(lShape(100, 100, { x: -5, y: 0, w: 110, h: 100 }, red)).closeUp).toBe(true);
  });
});

describe('ssim', () => {
  const size = 32;
  const ramp = Float32Array.from(
    { length: size * size },
    (_, i) => ((i % size) + Math.floor(i / size)) / (2 * size),
  );

  it('is 1 for identical images and drops for a changed structure', () => {
    expect(ssim(ramp, ramp, size)).toBeCloseTo(1, 10);
    const flipped = Float32Array.from(ramp, (_, i) => ramp[size * size - 1 - i]!);
    expect(ssim(ramp, flipped, size)).toBeLessThan(0.5);
  });

  it('refuses images of another size', () => {
    expect(() => ssim(ramp, ramp.subarray(1), size)).toThrow(RangeError);
  });
});

describe('judge', () => {
  const good = { silhouetteIoU: 0.95, colourDeltaE: 3, structuralSimilarity: 0.5, descriptorSimilarity: 0.9 };

  it.each([
    [good, 'Match'],
    [{ ...good, silhouetteIoU: 0.8 }, 'Check'],
    [{ ...good, silhouetteIoU: 0.5 }, 'Mismatch'],
    [{ ...good, colourDeltaE: 13 }, 'Check'],
    [{ ...good, colourDeltaE: 30 }, 'Mismatch'],
    [{ ...good, descriptorSimilarity: 0.2 }, 'Mismatch'],
    [{ colourDeltaE: 3, descriptorSimilarity: 0.9 }, 'Check'],
    [{ colourDeltaE: 40, descriptorSimilarity: 0.9 }, 'Mismatch'],
  ] as const)('%j → %s', (scores, verdict) => {
    expect(judge(scores).verdict).toBe(verdict);
  });

  it('says why', () => {
    expect(judge({ ...good, colourDeltaE: 30 }).reasons).toEqual(['colour ΔE00 30.0 > 15']);
  });
});

describe('fixture references against rendered turntables (labelled set subset)', () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await createGpuContext({ allowSoftware: true });
  });
  afterAll(() => gpu?.destroy());

  it('the Duck matches its own screenshot, not recoloured, not against another product', async () => {
    const results = await evaluateLabelledSet(gpu, {
      products: ['Duck'],
      kinds: ['true', 'recoloured', 'other-product'],
      refine: true,
    });
    const verdicts = Object.fromEntries(results.map((r) => [r.kind, r.assessment]));
    expect(verdicts.true?.verdict, JSON.stringify(verdicts.true)).toBe('Match');
    expect(['Check', 'Mismatch']).toContain(verdicts.recoloured?.verdict);
    expect(verdicts['other-product']?.verdict, JSON.stringify(verdicts['other-product'])).toBe('Mismatch');
    // The screenshot shows the Duck from its right front: the best view is a real frame near it.
    expect(verdicts.true?.bestFrame).toBeGreaterThanOrEqual(20);
  }, 120_000);

  it('assesses a delivery into a QAReview status.fidelity the CRD accepts', async () => {
    const rendered = await renderFixture('Duck', gpu, { frames: 12, resolution: 160, background: '#ffffff' });
    try {
      const descriptors = parseDescriptorSet(
        JSON.parse(await readFile(join(rendered.directory, 'descriptors.json'), 'utf8')),
      );
      const frames = await Promise.all(
        rendered.manifest.frames.map(async (frame) => ({
          index: frame.index,
          angleDeg: frame.angleDeg,
          bytes: await readFile(join(rendered.directory, frame.files.png ?? '')),
          descriptor: descriptors.frames[frame.index]?.vector,
        })),
      );
      const fixtures = join(import.meta.dirname, '../../test/fixtures');
      const fidelity = await assessDelivery(
        {
          references: [
            {
              name: 'references/duck.png',
              bytes: await readFile(join(fixtures, 'models/Duck/screenshot/screenshot.png')),
            },
            { name: 'references/notes.jpg', bytes: new TextEncoder().encode('not a photo') },
          ],
          frames,
          renderPrefix: rendered.directory,
        },
        { now: new Date('2026-01-02T03:04:05Z') },
      );
      expect(fidelity.references.map((r) => r.reference)).toEqual(['references/duck.png']);
      expect(fidelity.error).toBe('not an image: references/notes.jpg');
      expect(fidelity.references[0]?.verdict).not.toBe('Mismatch');
      const crd = parse(await readFile(join(import.meta.dirname, '../../crds/qareviews.yaml'), 'utf8'));
      const schema = crd.spec.versions[0].schema.openAPIV3Schema.properties.status.properties.fidelity;
      const ajv = new Ajv({ strict: false, allErrors: true });
      (addFormatsModule as unknown as (ajv: Ajv) => Ajv)(ajv);
      ajv.addFormat('int32', true);
      const validate = ajv.compile(schema);
      expect(validate(fidelity), JSON.stringify(validate.errors)).toBe(true);
    } finally {
      await rendered.cleanup();
    }
  }, 120_000);
});
