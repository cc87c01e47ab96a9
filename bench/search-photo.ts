/**
 * The photo-search part of `npm run bench:search`: the index next to the exact scan over the same frames,
 * recall@10 against it, and the query photo's own decode + descriptor cost.
 */
import sharp from 'sharp';
import { computeDescriptor, DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { ExactPhotoIndex } from '../search-api/catalog/exact-photo-index.ts';
import { ImageIndex, type ImageIndexTuning } from '../search-api/catalog/image-index.ts';
import { decodePhoto } from '../search-api/decode-photo.ts';
import { forEachSyntheticProduct, queryNear } from './synthetic-photos.ts';

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** A shopper-like photo: a product on a backdrop, 1600×1200 (a phone photo scaled down once) JPEG. */
export async function benchPhoto(): Promise<Buffer> {
  return sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#e8e4dc' } })
    .composite([
      {
        input: { create: { width: 600, height: 760, channels: 3, background: '#8a5a3c' } },
        left: 500,
        top: 240,
      },
      {
        input: { create: { width: 200, height: 200, channels: 3, background: '#2a4a7c' } },
        left: 700,
        top: 400,
      },
    ])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * Builds both indexes over `assets` synthetic products × `frames` frames, runs `queries` queries near
 * random products' frames through each, and prints p50/p99 side by side with recall@10.
 * `index` is the index under test (the service's, or one already filled by the caller).
 */
export async function benchPhotoSearch(options: {
  assets: number;
  frames: number;
  queries: number;
  tuning?: Partial<ImageIndexTuning>;
}): Promise<{ p99: number; recall: number; fullP99: number }> {
  const { assets, frames, queries } = options;
  const index = new ImageIndex(DESCRIPTOR_DIMS, options.tuning);
  const exact = new ExactPhotoIndex(DESCRIPTOR_DIMS);
  const targets: Float32Array[] = [];
  let started = performance.now();
  const every = Math.max(1, Math.floor(assets / queries));
  forEachSyntheticProduct(assets, { dims: DESCRIPTOR_DIMS, frames }, (product, productFrames) => {
    index.upsert(`B0${product.toString(36).toUpperCase().padStart(8, '0')}`, productFrames);
    if (product % every === 0 && targets.length < queries) {
      targets.push(Float32Array.from(productFrames[product % frames]!.vector));
    }
  });
  const indexSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  forEachSyntheticProduct(assets, { dims: DESCRIPTOR_DIMS, frames }, (product, productFrames) => {
    exact.upsert(`B0${product.toString(36).toUpperCase().padStart(8, '0')}`, productFrames);
  });
  console.log(
    `photo index: ${index.size} products, ${index.frameCount} frames, ${index.listCount} lists; indexed in ${indexSeconds.toFixed(1)} s (exact scan's store: ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  const ours: number[] = [];
  const scan: number[] = [];
  let found = 0;
  let wanted = 0;
  for (const [k, target] of targets.entries()) {
    const query = queryNear(target, 90_000 + k);
    let t0 = performance.now();
    const expected = exact.search(query, 10);
    scan.push(performance.now() - t0);
    t0 = performance.now();
    const hits = index.search(query, 10);
    ours.push(performance.now() - t0);
    const got = new Set(hits.map((hit) => hit.asin));
    for (const hit of expected) {
      wanted++;
      if (got.has(hit.asin)) found++;
    }
  }
  const recall = found / wanted;
  console.log(`${'search of 10, in process'.padEnd(34)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}`);
  console.log(
    `${'exact scan (every frame)'.padEnd(34)} ${ms(percentile(scan, 50)).padStart(9)} ${ms(percentile(scan, 99)).padStart(9)}`,
  );
  console.log(
    `${'ImageIndex (IVF + bounds)'.padEnd(34)} ${ms(percentile(ours, 50)).padStart(9)} ${ms(percentile(ours, 99)).padStart(9)}  ` +
      `${(percentile(scan, 99) / percentile(ours, 99)).toFixed(1)}× faster at p99, recall@10 ${recall.toFixed(3)} (${found}/${wanted}, ${targets.length} queries)`,
  );

  const photo = await benchPhoto();
  // The first queries compile the decoder's and the descriptor's code: reported apart, as a replica's
  // first photo search after start-up, not mixed into the steady state's p99.
  const cold: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const decoded = await decodePhoto(photo, 40_000_000);
    computeDescriptor(decoded.rgba, decoded.width, decoded.height);
    cold.push(performance.now() - t0);
  }
  const decode: number[] = [];
  const describe: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < targets.length; i++) {
    const t0 = performance.now();
    const decoded = await decodePhoto(photo, 40_000_000);
    const t1 = performance.now();
    const descriptor = computeDescriptor(decoded.rgba, decoded.width, decoded.height);
    const t2 = performance.now();
    // The photo's own descriptor is far from every synthetic product; search with a realistic query instead,
    // so the scan costs what a real query costs.
    index.search(i % 2 === 0 ? descriptor : queryNear(targets[i]!, 70_000 + i), 10);
    const t3 = performance.now();
    decode.push(t1 - t0);
    describe.push(t2 - t1);
    full.push(t3 - t0);
  }
  const fullP99 = percentile(full, 99);
  console.log(
    `photo search, whole path (decode a 1600×1200 JPEG + descriptor + search): p50 ${ms(percentile(full, 50))}, p99 ${ms(fullP99)} ` +
      `(decode p99 ${ms(percentile(decode, 99))}, descriptor p99 ${ms(percentile(describe, 99))}; ${full.length} queries after ${cold.length} warm-up ones, the first ${ms(cold[0]!)})`,
  );
  return { p99: percentile(ours, 99), recall, fullP99 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tuning = process.env.BENCH_TUNING
    ? (JSON.parse(process.env.BENCH_TUNING) as Partial<ImageIndexTuning>)
    : {};
  await benchPhotoSearch({
    assets: Number(process.env.BENCH_ASSETS ?? 100_000),
    frames: Number(process.env.BENCH_FRAMES ?? 12),
    queries: Number(process.env.BENCH_QUERIES ?? 100),
    tuning,
  });
}
