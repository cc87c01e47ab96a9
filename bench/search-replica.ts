/**
 * `npm run bench:search-replica`: one search replica's ceiling. For each catalogue size (BENCH_REPLICA_ASSETS,
 * comma-separated, default 100000,1000000), in a fresh child process so that RSS is the replica's own:
 * the initial list (every published asset applied to the catalogue, then prepared, as after the first
 * list), then every asset's descriptors.json parsed and indexed as the descriptor loader does
 * (parseDescriptorSet on the document's bytes, then setDescriptors; BENCH_FRAMES frames each, 12), with the
 * RSS and heap after each step. The bytes come from memory: the S3 round trips are added in docs/search.md
 * from the loader's concurrency (8) and a measured GET latency, not simulated here.
 */
import { execFileSync } from 'node:child_process';
import { buildDescriptorSet, parseDescriptorSet } from '../lib/contracts/descriptors.ts';
import { DESCRIPTOR_DIMS, DESCRIPTOR_VERSION } from '../lib/image-descriptor/compute-descriptor.ts';
import { Catalog } from '../search-api/catalog/catalog.ts';
import type { PublishedAsset } from '../search-api/catalog/published-asset.ts';
import { forEachSyntheticProduct } from './synthetic-photos.ts';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 12);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function asset(i: number): PublishedAsset {
  const asin = `B0${i.toString(36).toUpperCase().padStart(8, '0')}`;
  return {
    asin,
    source: `shop/s${i}`,
    version: 1,
    product: {
      title: `modern oak chair ${i}`,
      brand: `brand${i % 500}`,
      tags: ['chair', 'oak'],
      description: '',
    },
    bucket: 'assets',
    prefix: `assets/${asin}/versions/1/`,
    frameCount: FRAMES,
    descriptorsUri: `s3://assets/assets/${asin}/versions/1/descriptors.json`,
    publishedAt: '2026-01-01T00:00:00.000Z',
    resourceVersion: String(i),
  };
}

function measure(count: number): void {
  const memory = () => {
    global.gc?.();
    const usage = process.memoryUsage();
    return `RSS ${mib(usage.rss)}, heap ${mib(usage.heapUsed)}, buffers ${mib(usage.arrayBuffers)}`;
  };
  console.log(`${count} assets × ${FRAMES} frames; at start: ${memory()}`);
  let started = performance.now();
  const catalog = new Catalog(DESCRIPTOR_DIMS);
  for (let i = 0; i < count; i++) catalog.apply(`shop/s${i}`, asset(i));
  catalog.prepare();
  console.log(`initial list: ${((performance.now() - started) / 1000).toFixed(1)} s; ${memory()}`);
  started = performance.now();
  let parseMs = 0;
  let documentBytes = 0;
  forEachSyntheticProduct(count, { dims: DESCRIPTOR_DIMS, frames: FRAMES }, (i, frames) => {
    // What S3 would return: the document as the renderer writes it, 4 decimals per number.
    const body = JSON.stringify(
      buildDescriptorSet(
        DESCRIPTOR_VERSION,
        DESCRIPTOR_DIMS,
        frames.map((frame) => ({
          index: frame.index,
          angleDeg: frame.index * 30,
          vector: Array.from(frame.vector, (x) => Math.round(x * 1e4) / 1e4),
        })),
      ),
    );
    documentBytes += body.length;
    const t0 = performance.now();
    const set = parseDescriptorSet(JSON.parse(body));
    catalog.setDescriptors(asset(i), set.frames);
    parseMs += performance.now() - t0;
  });
  console.log(
    `descriptors: ${catalog.imageStats.frames} frames indexed; parse + index ${(parseMs / 1000).toFixed(1)} s ` +
      `(${((parseMs * 1000) / count).toFixed(0)} µs per asset; building the documents took the rest of ${((performance.now() - started) / 1000).toFixed(1)} s); ` +
      `${mib(documentBytes)} of descriptors.json (${(documentBytes / count / 1024).toFixed(0)} KiB per asset); ${memory()}`,
  );
}

const only = process.env.BENCH_REPLICA_ONE;
if (only) {
  measure(Number(only));
} else {
  for (const count of (process.env.BENCH_REPLICA_ASSETS ?? '100000,1000000').split(',').map(Number)) {
    execFileSync(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=16384', '--import', 'tsx', import.meta.filename],
      {
        env: { ...process.env, BENCH_REPLICA_ONE: String(count) },
        stdio: 'inherit',
      },
    );
  }
}
