/**
 * One catalogue size of `npm run bench:search-replica`, run in its own process (so that RSS is the
 * replica's own) by `search-replica.ts`: the initial list (every asset applied, then prepared), then every
 * asset's descriptors indexed, with RSS, heap and array buffers at checkpoints, stopping early when the
 * process passes its RSS cap, the machine runs short of memory or the bench's time is up. Writes a {@link ReplicaRun} as JSON to the
 * file named by BENCH_REPLICA_RESULT.
 *
 * Descriptors come from memory, not S3 (`search-replica-s3.ts` measures the GETs): in `json` mode each
 * document is built as the renderer writes it and then parsed and indexed as the descriptor loader does
 * (JSON.parse, parseDescriptorSet, setDescriptors: only that is timed); in `direct` mode the synthetic
 * vectors go straight to setDescriptors (building and parsing 39 KiB of JSON per asset would take longer than
 * the bench may run at 1,000,000 assets; the memory held is the same, the parse time is the json run's).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDescriptorSet } from '../lib/contracts/descriptors.ts';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { Catalog } from '../search-api/catalog/catalog.ts';
import { descriptorDocument, replicaAsset } from './replica-catalogue.ts';
import { forEachSyntheticProduct } from './synthetic-photos.ts';

/** Memory of the process at one point. */
export interface MemoryPoint {
  /** Assets listed and assets with descriptors indexed at that point. */
  listed: number;
  indexed: number;
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
  /** Seconds spent so far in the timed step (list, or parse + index). */
  seconds: number;
}

/** What one size's process measured. */
export interface ReplicaRun {
  count: number;
  frames: number;
  mode: 'json' | 'direct';
  start: MemoryPoint;
  /** After the initial list (apply + prepare) of every asset. */
  list: MemoryPoint;
  /** After each quarter of the descriptors, and where it stopped. */
  descriptors: MemoryPoint[];
  /** Bytes of descriptors.json per asset (json mode). */
  documentBytesPerAsset?: number;
  /** Why it stopped before indexing every asset, when it did. */
  stoppedBy?: string;
}

/** Options of {@link measureReplica}. */
export interface MeasureReplicaOptions {
  count: number;
  frames: number;
  mode: 'json' | 'direct';
  /** Stop when the process's RSS passes this. */
  maxRssBytes: number;
  /** Stop when the machine's available memory falls below this. */
  reserveBytes: number;
  /** Stop at this time (epoch milliseconds): the bench's bound on its own run time. */
  deadlineMs: number;
}

function availableBytes(): number {
  const line = readFileSync('/proc/meminfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('MemAvailable:'));
  return line ? Number(line.split(/\s+/)[1]) * 1024 : Number.POSITIVE_INFINITY;
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Measures one catalogue size; see the module's description. */
export function measureReplica(options: MeasureReplicaOptions): ReplicaRun {
  const { count, frames, mode, maxRssBytes, reserveBytes, deadlineMs } = options;
  const point = (listed: number, indexed: number, seconds: number): MemoryPoint => {
    global.gc?.();
    const usage = process.memoryUsage();
    return {
      listed,
      indexed,
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      arrayBuffers: usage.arrayBuffers,
      seconds,
    };
  };
  const show = (label: string, p: MemoryPoint) =>
    console.log(
      `  ${label}: ${p.seconds.toFixed(1)} s; RSS ${mib(p.rss)}, heap ${mib(p.heapUsed)}, buffers ${mib(p.arrayBuffers)}`,
    );
  const overLimit = (): string | undefined => {
    const rss = process.memoryUsage.rss();
    if (rss > maxRssBytes) return `RSS ${gib(rss)} passed the cap of ${gib(maxRssBytes)}`;
    const available = availableBytes();
    if (available < reserveBytes)
      return `the machine had ${gib(available)} available, under the ${gib(reserveBytes)} reserve`;
    if (Date.now() > deadlineMs) return 'the bench reached its time bound (BENCH_REPLICA_MAX_MINUTES)';
    return undefined;
  };

  const start = point(0, 0, 0);
  console.log(`${count} assets × ${frames} frames (${mode}):`);
  show('at start', start);
  const catalog = new Catalog(DESCRIPTOR_DIMS);
  let stoppedBy: string | undefined;
  let listed = 0;
  const listStarted = performance.now();
  for (; listed < count; listed++) {
    if (listed % 10_000 === 0) stoppedBy = overLimit();
    if (stoppedBy) break;
    catalog.apply(`shop/s${listed}`, replicaAsset(listed, frames));
  }
  catalog.prepare();
  const list = point(listed, 0, (performance.now() - listStarted) / 1000);
  show(`initial list of ${listed}`, list);

  const descriptors: MemoryPoint[] = [];
  let timedMs = 0;
  let documentBytes = 0;
  let indexed = 0;
  const quarter = Math.ceil(count / 4);
  if (!stoppedBy) {
    forEachSyntheticProduct(count, { dims: DESCRIPTOR_DIMS, frames }, (i, productFrames) => {
      if (i % 10_000 === 0) stoppedBy = overLimit();
      if (stoppedBy) return;
      const asset = replicaAsset(i, frames);
      if (mode === 'json') {
        const body = JSON.stringify(descriptorDocument(productFrames));
        documentBytes += body.length;
        const t0 = performance.now();
        catalog.setDescriptors(asset, parseDescriptorSet(JSON.parse(body)).frames);
        timedMs += performance.now() - t0;
      } else {
        const t0 = performance.now();
        catalog.setDescriptors(asset, productFrames);
        timedMs += performance.now() - t0;
      }
      indexed = i + 1;
      if (indexed % quarter === 0 || indexed === count) {
        const p = point(listed, indexed, timedMs / 1000);
        descriptors.push(p);
        show(`descriptors of ${indexed}`, p);
      }
    });
  }
  if (stoppedBy) {
    const p = point(listed, indexed, timedMs / 1000);
    descriptors.push(p);
    show(`stopped at ${listed} listed, ${indexed} indexed (${stoppedBy})`, p);
  }
  return {
    count,
    frames,
    mode,
    start,
    list,
    descriptors,
    ...(mode === 'json' && indexed > 0 ? { documentBytesPerAsset: documentBytes / indexed } : {}),
    ...(stoppedBy ? { stoppedBy } : {}),
  };
}

if (process.argv[1] === import.meta.filename) {
  const env = process.env;
  const run = measureReplica({
    count: Number(env.BENCH_REPLICA_ONE),
    frames: Number(env.BENCH_FRAMES ?? 12),
    mode: env.BENCH_REPLICA_MODE === 'direct' ? 'direct' : 'json',
    maxRssBytes: Number(env.BENCH_REPLICA_MAX_RSS_GIB ?? 16) * 2 ** 30,
    reserveBytes: Number(env.BENCH_REPLICA_RESERVE_GIB ?? 4) * 2 ** 30,
    deadlineMs: Number(env.BENCH_REPLICA_DEADLINE_MS ?? Number.POSITIVE_INFINITY),
  });
  writeFileSync(env.BENCH_REPLICA_RESULT!, JSON.stringify(run));
}
