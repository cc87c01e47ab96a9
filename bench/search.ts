/**
 * `npm run bench:search`: the search API over a synthetic catalogue of 100,000 published assets.
 *
 * 1. HTTP, under autocannon on loopback: requests/s and p99 of ASIN lookup and of text search (a mix that
 *    includes common terms, each in a quarter of the catalogue), next to a bare fastify route serving a
 *    fixed JSON body in the same process and run; the ratio is our overhead.
 * 2. In-process text search p99, ours next to MiniSearch (fuzzy + prefix, the same documents and queries).
 * 3. Photo search (bench/search-photo.ts): the index's p50/p99 next to the exact scan of every frame over the
 *    same synthetic descriptors, recall@10 against it, and the whole path (decode + descriptor + search).
 *
 * Options (environment): BENCH_ASSETS (100000), BENCH_FRAMES (frames per asset in the photo index, 12),
 * BENCH_SECONDS (per autocannon run, 5), BENCH_CONNECTIONS (10), BENCH_QUERIES (photo queries, 100).
 */
import { createRequire } from 'node:module';
import { S3Client } from '@aws-sdk/client-s3';
import Fastify from 'fastify';
import MiniSearch from 'minisearch';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { buildApp } from '../search-api/app.ts';
import { Catalog } from '../search-api/catalog/catalog.ts';
import type { PublishedAsset } from '../search-api/catalog/published-asset.ts';
import { benchPhotoSearch } from './search-photo.ts';

interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number; average: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ASSETS = Number(process.env.BENCH_ASSETS ?? 100_000);
const FRAMES = Number(process.env.BENCH_FRAMES ?? 12);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

/** A small deterministic PRNG (mulberry32), so every run builds the same catalogue. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = [
  'chair',
  'table',
  'lamp',
  'sofa',
  'shelf',
  'desk',
  'stool',
  'bench',
  'cabinet',
  'mirror',
  'rug',
  'vase',
];
const COLOURS = ['black', 'white', 'grey', 'red', 'blue', 'green', 'beige', 'brown'];
const MATERIALS = [
  'oak',
  'walnut',
  'pine',
  'steel',
  'brass',
  'leather',
  'linen',
  'marble',
  'glass',
  'rattan',
];
const STYLES = ['modern', 'classic', 'rustic', 'industrial', 'nordic', 'vintage', 'minimal', 'coastal'];

function syntheticCatalogue(count: number): { documents: Array<PublishedAsset>; asins: string[] } {
  const next = random(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const documents: PublishedAsset[] = [];
  const asins: string[] = [];
  for (let i = 0; i < count; i++) {
    const asin = `B0${i.toString(36).toUpperCase().padStart(8, '0')}`;
    // "chair" in a quarter of the titles, "black" in a quarter (independently): the common terms of the issue.
    const noun = i % 4 === 0 ? 'chair' : pick(NOUNS.slice(1));
    const colour = next() < 0.25 ? 'black' : pick(COLOURS.slice(1));
    const title = `${pick(STYLES)} ${colour} ${pick(MATERIALS)} ${noun} ${String.fromCharCode(65 + (i % 26))}${i % 997}`;
    documents.push({
      asin,
      source: `shop/s${i}`,
      version: 1 + (i % 3),
      product: {
        title,
        brand: `brand${i % 500}`,
        tags: [noun, pick(MATERIALS), pick(STYLES)],
        description: '',
      },
      bucket: 'assets',
      prefix: `assets/${asin}/versions/${1 + (i % 3)}/`,
      frameCount: 36,
      descriptorsUri: undefined,
      publishedAt: '2026-01-01T00:00:00.000Z',
      resourceVersion: String(i),
    });
    asins.push(asin);
  }
  return { documents, asins };
}

/** Text queries: common terms, two common terms, rare terms, typos, prefixes and ASIN prefixes. */
const QUERIES = [
  'chair',
  'black',
  'black chair',
  'oak chair',
  'modern black chair',
  'chiar',
  'blakc lamp',
  'walnut',
  'rattan vase',
  'brand123',
  'brand77 sofa',
  'industrial steel shel',
  'B0000012',
  'coastal linen bench k5',
  'marbel table',
  'vintage',
];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function timeQueries(run: (query: string) => unknown, rounds: number): number[] {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const query of QUERIES) {
      const started = performance.now();
      run(query);
      times.push(performance.now() - started);
    }
  }
  return times;
}

async function load(url: string, paths: () => string): Promise<AutocannonResult> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, path: paths() }) }],
  });
}

function line(name: string, result: AutocannonResult, bare?: AutocannonResult): string {
  const ratio = bare
    ? `  ${(bare.requests.average / result.requests.average).toFixed(2)}× slower than bare`
    : '';
  return `${name.padEnd(22)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p99 ${String(result.latency.p99).padStart(4)} ms${ratio}${result.non2xx ? `  (${result.non2xx} non-2xx)` : ''}`;
}

async function main(): Promise<void> {
  console.log(
    `search bench: ${ASSETS} assets, ${FRAMES} photo frames each, ${SECONDS} s × ${CONNECTIONS} connections per HTTP run`,
  );
  let started = performance.now();
  const { documents, asins } = syntheticCatalogue(ASSETS);
  const catalog = new Catalog(DESCRIPTOR_DIMS);
  for (const asset of documents) catalog.apply(asset.source, asset);
  // As the service does once its first list is in.
  catalog.prepare();
  console.log(
    `indexed text of ${catalog.size} assets in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  // Presigning needs no server: the CDN mode is what production uses, and it is measured.
  const s3 = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const app = await buildApp({
    config: {
      cdnBaseUrl: 'https://cdn.example.com',
      presignTtlSeconds: 3600,
      corsOrigins: [],
      rateLimitPerMinute: 0,
      maxUploadBytes: 10_000_000,
      maxImagePixels: 40_000_000,
    },
    s3,
    catalog,
  });
  const ours = await app.listen({ host: '127.0.0.1', port: 0 });
  const bareApp = Fastify();
  const sample = (await app.inject({ url: `/v1/assets/${asins[0]}` })).json();
  bareApp.get('/bare/:asin', async () => sample);
  const bare = await bareApp.listen({ host: '127.0.0.1', port: 0 });

  const pickAsin = random(9);
  const pickQuery = random(11);
  console.log('\nHTTP on loopback (autocannon):');
  const bareResult = await load(bare, () => `/bare/${asins[Math.floor(pickAsin() * asins.length)]}`);
  console.log(line('bare fastify route', bareResult));
  const lookup = await load(ours, () => `/v1/assets/${asins[Math.floor(pickAsin() * asins.length)]}`);
  console.log(line('ASIN lookup', lookup, bareResult));
  const search = await load(
    ours,
    () => `/v1/search?q=${encodeURIComponent(QUERIES[Math.floor(pickQuery() * QUERIES.length)]!)}&limit=20`,
  );
  console.log(line('text search (mix)', search, bareResult));
  const common = await load(
    ours,
    () => `/v1/search?q=${pickQuery() < 0.5 ? 'chair' : 'black%20chair'}&limit=20`,
  );
  console.log(line('text search (common)', common, bareResult));
  await app.close();
  await bareApp.close();

  console.log('\nText search in process, 20 hits, p99 over rounds of the query mix:');
  const oursTimes = timeQueries((query) => catalog.searchText(query, { limit: 20 }), 20);
  started = performance.now();
  const mini = new MiniSearch<{ id: number; title: string; brand: string; tags: string }>({
    fields: ['title', 'brand', 'tags'],
    searchOptions: { fuzzy: 0.2, prefix: true, boost: { title: 3, brand: 2, tags: 2 } },
  });
  mini.addAll(
    documents.map((asset, id) => ({
      id,
      title: asset.product.title,
      brand: asset.product.brand,
      tags: asset.product.tags.join(' '),
    })),
  );
  console.log(
    `(MiniSearch indexed ${ASSETS} documents in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  const miniTimes = timeQueries((query) => mini.search(query).slice(0, 20), 3);
  const oursP99 = percentile(oursTimes, 99);
  const miniP99 = percentile(miniTimes, 99);
  console.log(`ours        p50 ${percentile(oursTimes, 50).toFixed(2)} ms  p99 ${oursP99.toFixed(2)} ms`);
  console.log(`MiniSearch  p50 ${percentile(miniTimes, 50).toFixed(2)} ms  p99 ${miniP99.toFixed(2)} ms`);
  console.log(`MiniSearch p99 ÷ ours: ${(miniP99 / oursP99).toFixed(1)}×`);
  for (const query of ['chair', 'black chair']) {
    let t0 = performance.now();
    catalog.searchText(query, { limit: 20 });
    const ourOne = performance.now() - t0;
    t0 = performance.now();
    const count = mini.search(query).length;
    console.log(
      `  "${query}": ${count} MiniSearch matches scored in ${(performance.now() - t0).toFixed(1)} ms; ours ${ourOne.toFixed(2)} ms`,
    );
  }

  console.log('\nPhoto search in process: the index next to the exact scan over the same frames:');
  await benchPhotoSearch({
    assets: ASSETS,
    frames: FRAMES,
    queries: Number(process.env.BENCH_QUERIES ?? 100),
  });
  s3.destroy();
}

await main();
