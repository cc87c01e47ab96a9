/**
 * The CPUs and memory this process may use: the container's cgroup limits (v2 `cpu.max`/`memory.max`, or v1
 * `cpu.cfs_quota_us`/`memory.limit_in_bytes`), bounded by the CPUs the scheduler lets it run on. A pod's
 * `resources.limits` arrive here; a machine without limits reports its own size.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';

/** What the process may use. */
export interface PodResources {
  /** CPUs (fractional under a CFS quota), at most the CPUs this process may run on. */
  cpus: number;
  /** Memory limit in bytes, or the machine's memory where there is none. */
  memoryBytes: number;
  /** Where the numbers came from. */
  source: 'cgroup-v2' | 'cgroup-v1' | 'os';
}

/** A v1 or v2 memory limit this large means "no limit" (the kernel writes a page-rounded 2^63). */
const UNLIMITED_MEMORY = 2 ** 60;

/** Parses cgroup v2 `cpu.max` (`"<quota> <period>"` or `"max <period>"`) into CPUs, or null when unlimited. */
export function parseCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max') return null;
  return cpusOf(Number(quota), Number(period ?? 100_000));
}

/** CPUs of a CFS quota and period in µs (v1 `cpu.cfs_quota_us` is −1 when unlimited), or null. */
export function cpusOf(quotaUs: number, periodUs: number): number | null {
  if (!(quotaUs > 0) || !(periodUs > 0)) return null;
  return quotaUs / periodUs;
}

/** Parses a memory limit file (`memory.max` may say `max`; v1 says ~2^63 when unlimited), or null. */
export function parseMemoryLimit(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === 'max') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) && value > 0 && value < UNLIMITED_MEMORY ? value : null;
}

/**
 * Reads the limits of the cgroup this process runs in (`root` is the cgroup mount, `/sys/fs/cgroup` in a
 * container). Never throws: missing files mean no limit.
 */
export async function readPodResources(root = '/sys/fs/cgroup'): Promise<PodResources> {
  const read = (path: string) => readFile(join(root, path), 'utf8').catch(() => undefined);
  const parallelism = availableParallelism();
  const machineMemory = totalmem();
  const v2Cpu = await read('cpu.max');
  const v2Memory = await read('memory.max');
  if (v2Cpu !== undefined || v2Memory !== undefined) {
    return {
      cpus: Math.min(parallelism, (v2Cpu ? parseCpuMax(v2Cpu) : null) ?? parallelism),
      memoryBytes: Math.min(machineMemory, (v2Memory ? parseMemoryLimit(v2Memory) : null) ?? machineMemory),
      source: 'cgroup-v2',
    };
  }
  const quota = await read('cpu/cpu.cfs_quota_us');
  const period = await read('cpu/cpu.cfs_period_us');
  const v1Memory = await read('memory/memory.limit_in_bytes');
  if (quota !== undefined || v1Memory !== undefined) {
    const cpus = quota && period ? cpusOf(Number(quota), Number(period)) : null;
    return {
      cpus: Math.min(parallelism, cpus ?? parallelism),
      memoryBytes: Math.min(machineMemory, (v1Memory ? parseMemoryLimit(v1Memory) : null) ?? machineMemory),
      source: 'cgroup-v1',
    };
  }
  return { cpus: parallelism, memoryBytes: machineMemory, source: 'os' };
}

/** Options of {@link encodeConcurrency}. */
export interface EncodeConcurrencyOptions {
  /** Bytes one frame in flight holds: its RGBA pixels plus the encoder's working copies. */
  bytesPerFrame: number;
  /** Share of the memory limit the encode queue may take (the rest: Node, Dawn, the scene, textures). */
  memoryShare?: number;
  /** Memory already in use (RSS), taken off the limit first. */
  usedBytes?: number;
  /** Upper bound whatever the machine (a queue deeper than this only holds memory). */
  max?: number;
}

/**
 * How many frames to encode at once: one per CPU the process may use (rounded up: a fractional quota still
 * runs a thread), at least 2 so encoding overlaps rendering, and no more than the memory limit allows.
 * Pure.
 *
 * @example
 * ```ts
 * encodeConcurrency({ cpus: 16, memoryBytes: 8 * 2 ** 30, source: 'cgroup-v2' }, { bytesPerFrame: 12 * 2 ** 20 }) // 16
 * ```
 */
export function encodeConcurrency(resources: PodResources, options: EncodeConcurrencyOptions): number {
  const { bytesPerFrame, memoryShare = 0.5, usedBytes = 0, max = 64 } = options;
  const byCpu = Math.max(2, Math.ceil(resources.cpus));
  const budget = Math.max(0, resources.memoryBytes - usedBytes) * memoryShare;
  const byMemory = Math.max(1, Math.floor(budget / Math.max(1, bytesPerFrame)));
  return Math.max(1, Math.min(byCpu, byMemory, max));
}

/** Threads in libuv's pool, which runs sharp's work (`UV_THREADPOOL_SIZE`, read once at process start). */
export function libuvPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const size = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4;
}

export { threadPoolSizeForCpu } from '../../lib/runtime/thread-pool-size.ts';
