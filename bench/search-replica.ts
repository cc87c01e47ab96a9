/**
 * `npm run bench:search-replica`: one search replica's ceiling, its memory and start-up time by catalogue
 * size (docs/search.md, "One replica's ceiling").
 *
 * 1. The S3 part, on a sample (BENCH_REPLICA_S3_SAMPLE documents, 1000; 0 skips it): descriptors.json put
 *    into a local S3 server and loaded by the search API's own descriptor loader (`search-replica-s3.ts`).
 * 2. Each size of BENCH_REPLICA_ASSETS (20000,100000,1000000) in a fresh child process
 *    (`search-replica-measure.ts`): the initial list, then every asset's descriptors, RSS at checkpoints.
 *    Sizes up to BENCH_REPLICA_JSON_MAX (100000) parse each document as the loader does; larger ones index
 *    the synthetic vectors directly (same memory, the parse time taken from the json run). A child stops at
 *    BENCH_REPLICA_MAX_RSS_GIB (16), when the machine has less than BENCH_REPLICA_RESERVE_GIB (4) available,
 *    or when the bench has run BENCH_REPLICA_MAX_MINUTES (15); the summary then extrapolates from the bytes
 *    and seconds per asset it measured, and says so.
 * 3. A summary per size against peers of the same run: the floor (8-bit frames and sector centres, nothing
 *    else) and the first (smallest) size's bytes per asset.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameFloorBytes } from './replica-catalogue.ts';
import type { MemoryPoint, ReplicaRun } from './search-replica-measure.ts';
import { measureS3Load, type S3LoadSample } from './search-replica-s3.ts';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 12);
const SIZES = (process.env.BENCH_REPLICA_ASSETS ?? '20000,100000,1000000').split(',').map(Number);
const JSON_MAX = Number(process.env.BENCH_REPLICA_JSON_MAX ?? 100_000);
const S3_SAMPLE = Number(process.env.BENCH_REPLICA_S3_SAMPLE ?? 1000);
const MAX_MINUTES = Number(process.env.BENCH_REPLICA_MAX_MINUTES ?? 15);

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
const duration = (seconds: number) =>
  seconds < 120 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`;

/** Bytes per asset of a run: the list's and the descriptors' (average, and marginal past the first quarter). */
export interface PerAsset {
  list: number;
  descriptors: number;
  descriptorsMarginal: number;
  /** Parse + index time per asset, µs. */
  indexUs: number;
}

/** Per-asset figures of a run (pure). */
export function perAsset(run: ReplicaRun): PerAsset {
  const last: MemoryPoint = run.descriptors.at(-1) ?? run.list;
  const first: MemoryPoint = run.descriptors[0] ?? run.list;
  const indexed = Math.max(1, last.indexed);
  return {
    list: (run.list.rss - run.start.rss) / Math.max(1, run.list.listed),
    descriptors: (last.rss - run.list.rss) / indexed,
    descriptorsMarginal:
      last.indexed > first.indexed
        ? (last.rss - first.rss) / (last.indexed - first.indexed)
        : (last.rss - run.list.rss) / indexed,
    indexUs: (last.seconds * 1e6) / indexed,
  };
}

/**
 * The summary lines of one run against its peers (pure): the floor, the first size's bytes per asset, the
 * S3 sample's time per asset, and the parse time of the json run for direct runs.
 */
export function summarise(
  run: ReplicaRun,
  peer: { count: number; perAsset: PerAsset } | undefined,
  s3: S3LoadSample | undefined,
  jsonIndexUs: number | undefined,
): string[] {
  const own = perAsset(run);
  const last = run.descriptors.at(-1) ?? run.list;
  const complete = run.list.listed === run.count && last.indexed === run.count;
  const floor = frameFloorBytes(run.count, run.frames);
  const floorPerAsset = frameFloorBytes(1, run.frames);
  // Incomplete runs grow by the marginal bytes per asset they measured up to the full size.
  const rss = complete
    ? last.rss
    : run.start.rss +
      own.list * run.count +
      own.descriptors * Math.min(last.indexed, run.count) +
      own.descriptorsMarginal * (run.count - last.indexed);
  const listSeconds = (run.list.seconds * run.count) / Math.max(1, run.list.listed);
  const indexUs = run.mode === 'json' ? own.indexUs : (jsonIndexUs ?? own.indexUs);
  const cpuStartup = listSeconds + (indexUs * run.count) / 1e6;
  const lines = [
    `${run.count} assets × ${run.frames} frames (${run.mode}${complete ? '' : `; stopped at ${run.list.listed} listed, ${last.indexed} indexed: ${run.stoppedBy}`}):`,
    `  RSS ${complete ? '' : '(extrapolated) '}${gib(rss)}; the floor (8-bit frames + centres) ${gib(floor)}: ${(rss / floor).toFixed(1)}× the floor`,
    `  per asset: list ${kb(own.list)}, descriptors ${kb(own.descriptors)} (marginal ${kb(own.descriptorsMarginal)}; floor ${kb(floorPerAsset)}: ${(own.descriptorsMarginal / floorPerAsset).toFixed(2)}×)` +
      (peer
        ? `; the ${peer.count}-asset run: list ${kb(peer.perAsset.list)}, descriptors ${kb(peer.perAsset.descriptors)} (marginal ${kb(peer.perAsset.descriptorsMarginal)})`
        : ''),
    `  start-up, CPU only: list ${duration(listSeconds)} + parse and index ${duration((indexUs * run.count) / 1e6)} (${indexUs.toFixed(0)} µs per asset${run.mode === 'direct' ? ", the json run's parse + this run's index" : ''}) = ${duration(cpuStartup)}`,
  ];
  if (run.mode === 'direct' && jsonIndexUs !== undefined) {
    lines[lines.length - 1] += `; index alone here ${own.indexUs.toFixed(0)} µs per asset`;
  }
  if (s3) {
    lines.push(
      `  start-up through the loader against local S3 (${s3.msPerAsset.toFixed(2)} ms per asset at ${s3.concurrency} in flight): ` +
        `list ${duration(listSeconds)} + descriptors ${duration((s3.msPerAsset * run.count) / 1000)} = ${duration(listSeconds + (s3.msPerAsset * run.count) / 1000)}`,
    );
  }
  return lines;
}

function runSize(count: number, dir: string, deadlineMs: number): ReplicaRun {
  const result = join(dir, `${count}.json`);
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--max-old-space-size=16384',
      '--import',
      'tsx',
      join(import.meta.dirname, 'search-replica-measure.ts'),
    ],
    {
      env: {
        ...process.env,
        BENCH_REPLICA_ONE: String(count),
        BENCH_REPLICA_MODE: count <= JSON_MAX ? 'json' : 'direct',
        BENCH_REPLICA_RESULT: result,
        BENCH_REPLICA_DEADLINE_MS: String(deadlineMs),
      },
      stdio: 'inherit',
    },
  );
  if (child.status !== 0)
    throw new Error(`the ${count}-asset run exited with ${child.status ?? child.signal}`);
  return JSON.parse(readFileSync(result, 'utf8')) as ReplicaRun;
}

async function main(): Promise<void> {
  const started = performance.now();
  let s3: S3LoadSample | undefined;
  if (S3_SAMPLE > 0) {
    s3 = await measureS3Load(S3_SAMPLE, FRAMES);
    console.log(
      `S3 sample: ${s3.indexed} of ${s3.count} descriptors.json loaded by the descriptor loader from local S3 (moto) ` +
        `in ${s3.seconds.toFixed(1)} s, ${s3.msPerAsset.toFixed(2)} ms per asset (${s3.concurrency} in flight)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'shazam-replica-'));
  const runs: ReplicaRun[] = [];
  try {
    const deadlineMs = Date.now() + MAX_MINUTES * 60_000 - (performance.now() - started);
    for (const count of SIZES) runs.push(runSize(count, dir, deadlineMs));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const first = runs[0]!;
  const peer = { count: first.count, perAsset: perAsset(first) };
  const jsonRuns = runs.filter((run) => run.mode === 'json');
  const jsonIndexUs = jsonRuns.length > 0 ? perAsset(jsonRuns.at(-1)!).indexUs : undefined;
  console.log(
    `\nSummary (${FRAMES} frames per asset; bench ${duration((performance.now() - started) / 1000)}):`,
  );
  for (const run of runs) {
    for (const line of summarise(run, run === first ? undefined : peer, s3, jsonIndexUs)) console.log(line);
  }
}

await main();
