/**
 * `npm run bench:search`: the search API over a synthetic catalogue of 100,000 published assets.
 *
 * 1. HTTP, under autocannon on loopback (in a child process, bench/http-load.ts): requests/s, p99 and the
 *    servers' CPU time per request of ASIN lookup and of text search (a mix that includes common terms, each
 *    in a quarter of the catalogue), next to a bare fastify route serving a fixed JSON body in the same
 *    process and run, in alternating rounds after a warm-up; the ratios are our overhead.
 * 2. In-process text search p99, ours next to MiniSearch (fuzzy + prefix, the same documents and queries).
 * 3. Photo search (bench/search-photo.ts): the index's p50/p99 next to the exact scan of every frame over the
 *    same synthetic descriptors, recall@10 against it, and the whole path (decode + descriptor + search).
 *
 * Options (environment): BENCH_ASSETS (100000), BENCH_FRAMES (frames per asset in the photo index, 12),
 * BENCH_SECONDS (per autocannon run, 5), BENCH_CONNECTIONS (10), BENCH_ROUNDS (bare and lookup rounds, 3),
 * BENCH_QUERIES (photo queries, 100).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import Fastify from 'fastify';
import MiniSearch from 'minisearch';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { buildApp } from '../search-api/app.ts';
import { Catalog } from '../search-api/catalog/catalog.ts';
import type { PublishedAsset } from '../search-api/catalog/published-asset.ts';
import type { LoadResult } from './http-load.ts';
import { benchPhotoSearch } from './search-photo.ts';

const ASSETS = Number(process.env.BENCH_ASSETS ?? 100_000);
const FRAMES = Number(process.env.BENCH_FRAMES ?? 12);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Which parts run: `http`, `text` (in process, against MiniSearch), `photo`; all by default. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'http,text,photo').split(','));

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

/** One load run and the servers' CPU time it cost (this process holds only the servers while it runs). */
interface Measured extends LoadResult {
  /** This process's CPU time per completed request, µs. */
  cpuPerRequest: number;
}

/** Runs the load generator (bench/http-load.ts) in a child process against `url`, cycling through `paths`. */
async function load(url: string, paths: string[], seconds = SECONDS): Promise<Measured> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./http-load.ts', import.meta.url))],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.stdin.end(JSON.stringify({ url, paths, seconds, connections: CONNECTIONS }));
  // This process holds only the servers while the child runs (idle while it starts): its CPU time is theirs.
  const cpu = process.cpuUsage();
  const code = await exited;
  const used = process.cpuUsage(cpu);
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  const result = JSON.parse(output) as LoadResult;
  return { ...result, cpuPerRequest: (used.user + used.system) / Math.max(1, result.total) };
}

function median(values: number[]): number {
  return percentile(values, 50);
}

/** The median of each figure over rounds. */
function medianOf(runs: Measured[]): Measured {
  return {
    requests: median(runs.map((r) => r.requests)),
    total: median(runs.map((r) => r.total)),
    p99: median(runs.map((r) => r.p99)),
    non2xx: Math.max(...runs.map((r) => r.non2xx)),
    errors: Math.max(...runs.map((r) => r.errors)),
    cpuPerRequest: median(runs.map((r) => r.cpuPerRequest)),
  };
}

function line(name: string, result: Measured, bare?: Measured): string {
  const ratio = bare
    ? `  ${(result.requests / bare.requests).toFixed(2)}× bare's req/s, ${(result.cpuPerRequest / bare.cpuPerRequest).toFixed(2)}× its CPU per request`
    : '';
  return `${name.padEnd(22)} ${result.requests.toFixed(0).padStart(7)} req/s  p99 ${String(result.p99).padStart(4)} ms  ${result.cpuPerRequest.toFixed(0).padStart(4)} µs CPU/request${ratio}${result.non2xx ? `  (${result.non2xx} non-2xx)` : ''}`;
}

/** Part 1: the HTTP routes under load, next to a bare route. */
async function benchHttp(catalog: Catalog, asins: string[]): Promise<void> {
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
  const randomAsins = Array.from({ length: 50_000 }, () => asins[Math.floor(pickAsin() * asins.length)]!);
  const barePaths = randomAsins.map((asin) => `/bare/${asin}`);
  const lookupPaths = randomAsins.map((asin) => `/v1/assets/${asin}`);
  const mixPaths = Array.from(
    { length: 5_000 },
    () => `/v1/search?q=${encodeURIComponent(QUERIES[Math.floor(pickQuery() * QUERIES.length)]!)}&limit=20`,
  );
  const commonPaths = Array.from(
    { length: 5_000 },
    () => `/v1/search?q=${pickQuery() < 0.5 ? 'chair' : 'black%20chair'}&limit=20`,
  );
  console.log(
    `\nHTTP on loopback: autocannon in its own process; ${ROUNDS} alternating rounds of the bare route and the lookup after a warm-up, medians:`,
  );
  for (const [url, paths] of [
    [bare, barePaths],
    [ours, lookupPaths],
    [ours, mixPaths],
  ] as const) {
    await load(url, paths, 1);
  }
  const bareRuns: Measured[] = [];
  const lookupRuns: Measured[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRuns.push(await load(bare, barePaths));
    lookupRuns.push(await load(ours, lookupPaths));
  }
  const bareResult = medianOf(bareRuns);
  console.log(line('bare fastify route', bareResult));
  console.log(line('ASIN lookup', medianOf(lookupRuns), bareResult));
  console.log(line('text search (mix)', await load(ours, mixPaths), bareResult));
  console.log(line('text search (common)', await load(ours, commonPaths), bareResult));
  await app.close();
  await bareApp.close();
  s3.destroy();
}

async function main(): Promise<void> {
  console.log(
    `search bench: ${ASSETS} assets, ${FRAMES} photo frames each, ${SECONDS} s × ${CONNECTIONS} connections per HTTP run`,
  );
  const started = performance.now();
  const { documents, asins } = syntheticCatalogue(ASSETS);
  const catalog = new Catalog(DESCRIPTOR_DIMS);
  for (const asset of documents) catalog.apply(asset.source, asset);
  // As the service does once its first list is in.
  catalog.prepare();
  console.log(
    `indexed text of ${catalog.size} assets in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  if (PARTS.has('http')) await benchHttp(catalog, asins);

  if (PARTS.has('text')) benchText(catalog, documents);
  if (PARTS.has('photo')) {
    console.log('\nPhoto search in process: the index next to the exact scan over the same frames:');
    await benchPhotoSearch({
      assets: ASSETS,
      frames: FRAMES,
      queries: Number(process.env.BENCH_QUERIES ?? 100),
    });
  }
}

/** Part 2: text search in process, ours next to MiniSearch over the same documents and queries. */
function benchText(catalog: Catalog, documents: PublishedAsset[]): void {
  console.log('\nText search in process, 20 hits, p99 over rounds of the query mix:');
  const oursTimes = timeQueries((query) => catalog.searchText(query, { limit: 20 }), 20);
  const started = performance.now();
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
}

await main();
