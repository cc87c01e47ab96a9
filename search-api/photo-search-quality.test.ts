/**
 * Photo search quality on real renders: the fixture models are indexed from the renderer's own
 * descriptors.json (36 frames at 15° elevation), then queried with renders the index never saw (other turn
 * angles, another elevation) placed on other backgrounds, cropped, scaled, re-lit and JPEG-encoded, through
 * the HTTP route. Top-1 and top-5 accuracy are printed and recorded in docs/search.md.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDescriptorSet } from '../lib/contracts/descriptors.ts';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { createGpuContext, type GpuContext } from '../render-job/gpu/create-gpu-context.ts';
import { directorySink } from '../render-job/output/directory-sink.ts';
import { renderTurntable } from '../render-job/render-turntable.ts';
import { fixturePath } from '../render-job/test-support/render-fixture.ts';
import { s3Client } from '../test/harness/index.ts';
import { buildApp } from './app.ts';
import { Catalog } from './catalog/catalog.ts';
import { publishedAssetOf } from './catalog/published-asset.ts';
import { testAppConfig } from './test-support/app-config.ts';
import { assetSubmission } from './test-support/asset-submission.ts';

/** Distinct products among the fixtures (BoxDraco is Box again, so it is left out). */
const MODELS = [
  'Box',
  'BoxTextured',
  'Duck',
  'DamagedHelmet',
  'WaterBottle',
  'Mixer',
  'Fox',
  'TextureTransformTest',
];
const QUERY_FRAMES = 20;

/** How each query photo differs from the indexed renders, cycled over the queries. */
const VARIANTS: Array<{ name: string; apply: (png: Buffer) => Promise<Buffer> }> = [
  {
    name: 'grey backdrop, 60% scale, off-centre',
    apply: async (png) => {
      const small = await sharp(png).resize(192).toBuffer();
      return sharp({ create: { width: 400, height: 300, channels: 3, background: '#b4b4b4' } })
        .composite([{ input: small, left: 150, top: 70 }])
        .jpeg({ quality: 80 })
        .toBuffer();
    },
  },
  {
    name: 'gradient backdrop, darker',
    apply: async (png) => {
      const gradient = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#f3e6d0"/><stop offset="1" stop-color="#9db4cc"/></linearGradient></defs><rect width="320" height="320" fill="url(#g)"/></svg>`,
      );
      return sharp(gradient)
        .composite([{ input: png }])
        .modulate({ brightness: 0.75 })
        .jpeg({ quality: 80 })
        .toBuffer();
    },
  },
  {
    name: 'dark backdrop, brighter, tight crop',
    apply: async (png) => {
      const flat = await sharp(png)
        .flatten({ background: '#2c2c3a' })
        .modulate({ brightness: 1.25 })
        .toBuffer();
      const trimmed = await sharp(flat).trim({ threshold: 20 }).toBuffer();
      return sharp(trimmed)
        .extend({ top: 6, bottom: 6, left: 6, right: 6, background: '#2c2c3a' })
        .jpeg({ quality: 85 })
        .toBuffer();
    },
  },
  {
    name: 'white backdrop, 2× upscale',
    apply: async (png) =>
      sharp(png).flatten({ background: '#ffffff' }).resize(640).jpeg({ quality: 75 }).toBuffer(),
  },
];

interface Rendered {
  directory: string;
  descriptors: ReturnType<typeof parseDescriptorSet>;
  queries: Array<{ angleDeg: number; png: Buffer }>;
}

async function render(gpu: GpuContext, model: string): Promise<Rendered> {
  const path = fixturePath(model);
  const bytes = await readFile(path);
  const directory = await mkdtemp(join(tmpdir(), `photo-search-${model}-`));
  await renderTurntable({ bytes, uri: path, path }, directorySink(join(directory, 'index')), {
    gpu,
    frames: 36,
    resolution: 256,
    formats: ['webp'],
    msaaSamples: 1,
  });
  const descriptors = parseDescriptorSet(
    JSON.parse(await readFile(join(directory, 'index', 'descriptors.json'), 'utf8')),
  );
  const manifest = await renderTurntable(
    { bytes, uri: path, path },
    directorySink(join(directory, 'query')),
    {
      gpu,
      frames: QUERY_FRAMES,
      resolution: 320,
      elevationDeg: 25,
      background: 'transparent',
      formats: ['png'],
      msaaSamples: 1,
    },
  );
  const queries = [];
  for (const frame of manifest.frames) {
    // Angles on the indexed 10° grid are left out: every query is a view the index never saw.
    if (frame.angleDeg % 10 === 0) continue;
    queries.push({
      angleDeg: frame.angleDeg,
      png: await readFile(join(directory, 'query', frame.files.png!)),
    });
  }
  return { directory, descriptors, queries };
}

describe('photo search on renders of the fixture models', () => {
  let gpu: GpuContext;
  const rendered = new Map<string, Rendered>();
  const s3 = s3Client();
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    gpu = await createGpuContext({ allowSoftware: true });
    const catalog = new Catalog(DESCRIPTOR_DIMS);
    for (const [i, model] of MODELS.entries()) {
      const result = await render(gpu, model);
      rendered.set(model, result);
      const asin = `B0PHOTO${String(i).padStart(3, '0')}`;
      const built = assetSubmission(model.toLowerCase(), 'shop', asin)
        .withProduct({ title: model })
        .published(1, 'assets')
        .build();
      const asset = publishedAssetOf({ ...built.object, status: built.status });
      if (!('asin' in asset)) throw new Error(asset.detail);
      catalog.apply(asset.source, asset);
      catalog.setDescriptors(asset, result.descriptors.frames);
    }
    app = await buildApp({
      config: testAppConfig({ maxUploadBytes: 5_000_000, maxImagePixels: 10_000_000 }),
      s3,
      catalog,
    });
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    s3.destroy();
    for (const result of rendered.values()) await rm(result.directory, { recursive: true, force: true });
    gpu?.destroy();
  });

  it('finds the product from views, backdrops, crops and exposures it never indexed', async () => {
    let total = 0;
    let top1 = 0;
    let top5 = 0;
    const perVariant = VARIANTS.map(() => ({ total: 0, top1: 0 }));
    const perModel: string[] = [];
    for (const [i, model] of MODELS.entries()) {
      const asin = `B0PHOTO${String(i).padStart(3, '0')}`;
      let modelTop1 = 0;
      const queries = rendered.get(model)!.queries;
      for (const [k, query] of queries.entries()) {
        const variant = (k + i) % VARIANTS.length;
        const photo = await VARIANTS[variant]!.apply(query.png);
        const response = await app.inject({
          method: 'POST',
          url: '/v1/search/image?limit=5',
          headers: { 'content-type': 'image/jpeg' },
          payload: photo,
        });
        expect(response.statusCode).toBe(200);
        const rank = response.json().hits.findIndex((hit: { asin: string }) => hit.asin === asin);
        total++;
        perVariant[variant]!.total++;
        if (rank === 0) {
          top1++;
          modelTop1++;
          perVariant[variant]!.top1++;
        }
        if (rank >= 0 && rank < 5) top5++;
      }
      perModel.push(`${model} ${modelTop1}/${queries.length}`);
    }
    const report = [
      `photo search: ${total} queries over ${MODELS.length} products (36 indexed frames each)`,
      `top-1 ${(top1 / total).toFixed(3)} (${top1}/${total}), top-5 ${(top5 / total).toFixed(3)} (${top5}/${total})`,
      `top-1 per model: ${perModel.join(', ')}`,
      ...VARIANTS.map((v, j) => `top-1 with ${v.name}: ${perVariant[j]!.top1}/${perVariant[j]!.total}`),
    ].join('\n');
    console.log(report);
    expect(total).toBeGreaterThanOrEqual(MODELS.length * 12);
    // Measured 126/128 and 128/128 (docs/search.md); two queries of margin on top-1.
    expect(top1 / total).toBeGreaterThanOrEqual(0.95);
    expect(top5 / total).toBeGreaterThanOrEqual(0.99);
    // Every transform, the tight crop on a dark backdrop included (measured 30/32 there, 32/32 elsewhere).
    for (const [j, variant] of perVariant.entries()) {
      expect(variant.top1, VARIANTS[j]!.name).toBeGreaterThanOrEqual(variant.total - 4);
    }
    // 160 segmentations and searches through the HTTP route, beside other test files on two cores.
  }, 300_000);
});
