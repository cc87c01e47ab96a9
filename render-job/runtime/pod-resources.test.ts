import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodeConcurrency,
  parseCpuMax,
  parseMemoryLimit,
  readPodResources,
  threadPoolSizeForCpu,
} from './pod-resources.ts';

describe('pod resources', () => {
  it('parses cgroup v2 cpu.max and memory limits', () => {
    expect(parseCpuMax('1600000 100000\n')).toBe(16);
    expect(parseCpuMax('max 100000')).toBeNull();
    expect(parseMemoryLimit('max')).toBeNull();
    expect(parseMemoryLimit('8589934592\n')).toBe(8 * 2 ** 30);
    expect(parseMemoryLimit('9223372036854771712')).toBeNull();
  });

  it('reads a cgroup v1 quota, bounded by the CPUs the process may run on', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cgroup-'));
    await mkdir(join(root, 'cpu'));
    await mkdir(join(root, 'memory'));
    await writeFile(join(root, 'cpu/cpu.cfs_quota_us'), '50000\n');
    await writeFile(join(root, 'cpu/cpu.cfs_period_us'), '100000\n');
    await writeFile(join(root, 'memory/memory.limit_in_bytes'), `${2 ** 30}\n`);
    expect(await readPodResources(root)).toEqual({
      cpus: Math.min(0.5, availableParallelism()),
      memoryBytes: 2 ** 30,
      source: 'cgroup-v1',
    });
  });

  it('encodes one frame per CPU, not a fixed 2, within the memory limit', () => {
    const frame = 1024 * 1024 * 4 * 3;
    const big = { cpus: 16, memoryBytes: 16 * 2 ** 30, source: 'cgroup-v2' as const };
    expect(encodeConcurrency(big, { bytesPerFrame: frame })).toBe(16);
    const small = { cpus: 16, memoryBytes: 2 ** 30, source: 'cgroup-v2' as const };
    expect(encodeConcurrency(small, { bytesPerFrame: 4096 * 4096 * 4 * 3 })).toBe(2);
  });
});

describe('threadPoolSizeForCpu', () => {
  it.each([
    ['16', 16],
    ['4', 4],
    ['2', 4],
    ['1500m', 4],
    ['6500m', 7],
    ['12.5', 13],
    ['5000', 1024],
    [undefined, 4],
    ['lots', 4],
  ])('%s CPUs → %i threads', (quantity, threads) => {
    expect(threadPoolSizeForCpu(quantity)).toBe(threads);
  });
});
