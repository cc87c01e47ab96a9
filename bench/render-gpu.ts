/**
 * The GPU half of `npm run bench:render` (BENCH_MODE=gpu): the table of issue 14, whole process from start
 * to `manifest.json` (`shazam render` run as its own process, as the render Job runs) and per phase from
 * the manifests:
 *
 * - 36 frames × 1024² of each fixture model;
 * - `--preset amazon-360` (72 × 2000²) of each;
 * - 36 × 4096² of DamagedHelmet;
 * - 8 turntables (36 × 1024²) started at once, as turntables per minute.
 *
 * Without a hardware adapter it says so and measures nothing (BENCH_ALLOW_SOFTWARE=1 runs it on the
 * software adapter anyway, with BENCH_GPU_SCALE shrinking frames and resolutions, to check the benchmark
 * itself).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRenderManifest, type RenderManifest } from '../lib/contracts/render-manifest.ts';
import { createGpuContext } from '../render-job/gpu/create-gpu-context.ts';

/** One row of the table. */
interface Row {
  work: string;
  model: string;
  wallSeconds: number;
  manifest: RenderManifest;
}

/** Runs `shazam render` as its own process; the wall time is from spawn to exit (manifest written last). */
async function renderProcess(
  root: string,
  model: string,
  args: string[],
  allowSoftware: boolean,
): Promise<{ wallSeconds: number; manifest: RenderManifest }> {
  const out = await mkdtemp(join(tmpdir(), 'bench-gpu-'));
  const started = performance.now();
  const cpus = String(Math.max(4, (await import('node:os')).availableParallelism()));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'bin/shazam.js'),
        'render',
        model,
        '--out',
        out,
        ...args,
        ...(allowSoftware ? ['--allow-software'] : ['--backend', 'vulkan']),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, UV_THREADPOOL_SIZE: cpus } },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`shazam render exited ${code}: ${stderr}`)),
    );
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const manifest = parseRenderManifest(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')));
  await rm(out, { recursive: true, force: true });
  return { wallSeconds, manifest };
}

/** Runs the table; returns false (and says why) when there is no hardware adapter. */
export async function benchGpu(root: string, fixtures: Record<string, string>): Promise<boolean> {
  const allowSoftware = process.env.BENCH_ALLOW_SOFTWARE === '1';
  const scale = Number(process.env.BENCH_GPU_SCALE ?? 1);
  const gpu = await createGpuContext({ allowSoftware: true });
  const adapter = gpu.summary;
  gpu.destroy();
  if (adapter.software && !allowSoftware) {
    console.log(
      `no GPU adapter: only the software adapter "${adapter.description || adapter.device}" (${adapter.backend}) ` +
        'is present, so the GPU table is not measured here. Run BENCH_MODE=gpu on a GPU node ' +
        '(BENCH_ALLOW_SOFTWARE=1 BENCH_GPU_SCALE=0.125 runs it in software to check the benchmark).',
    );
    return false;
  }
  const frames = (n: number) => String(Math.max(1, Math.round(n * scale)));
  const size = (n: number) => String(Math.max(64, Math.round(n * scale)));
  const modelsDir = join(root, 'test/fixtures/models');
  const models = (process.env.BENCH_MODELS ?? Object.keys(fixtures).join(',')).split(',');
  const rows: Row[] = [];
  const run = async (work: string, model: string, args: string[]) => {
    const result = await renderProcess(root, join(modelsDir, fixtures[model]!), args, allowSoftware);
    rows.push({ work, model, ...result });
    console.log(
      JSON.stringify({ work, model, wallSeconds: round(result.wallSeconds), ...result.manifest.timings }),
    );
  };
  for (const model of models) {
    await run(`36 × 1024²`, model, ['--frames', frames(36), '--resolution', size(1024)]);
  }
  for (const model of models) {
    // The preset renders 72 frames of at least 2000 px; a scaled check run keeps the preset's shape.
    await run(
      'amazon-360',
      model,
      scale === 1
        ? ['--preset', 'amazon-360']
        : ['--frames', frames(72), '--resolution', size(2000), '--background', '#ffffff'],
    );
  }
  await run('36 × 4096²', 'DamagedHelmet', ['--frames', frames(36), '--resolution', size(4096)]);
  const concurrent = 8;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrent }, (_, i) =>
      renderProcess(
        root,
        join(modelsDir, fixtures[models[i % models.length]!]!),
        ['--frames', frames(36), '--resolution', size(1024)],
        allowSoftware,
      ),
    ),
  );
  const allSeconds = (performance.now() - started) / 1000;

  const header = `${'work'.padEnd(12)}${'model'.padEnd(16)}${'whole s'.padStart(9)}${'load'.padStart(7)}${'upload'.padStart(8)}${'frames'.padStart(8)}${'render ms'.padStart(11)}${'encode ms'.padStart(11)}${'width'.padStart(7)}`;
  console.log(
    [
      '',
      `adapter: ${adapter.description || adapter.device} (${adapter.backend}${adapter.software ? ', software' : ''})${scale !== 1 ? `, scaled ×${scale}` : ''}`,
      header,
      ...rows.map(
        (row) =>
          `${row.work.padEnd(12)}${row.model.padEnd(16)}${row.wallSeconds.toFixed(2).padStart(9)}${row.manifest.timings.loadSeconds.toFixed(2).padStart(7)}${row.manifest.timings.uploadSeconds.toFixed(2).padStart(8)}${row.manifest.timings.renderSeconds.toFixed(2).padStart(8)}${row.manifest.timings.meanFrameRenderMs.toFixed(1).padStart(11)}${row.manifest.timings.meanFrameEncodeMs.toFixed(1).padStart(11)}${String(row.manifest.timings.encodeConcurrency ?? '').padStart(7)}`,
      ),
      `${concurrent} turntables at once: ${allSeconds.toFixed(2)} s for all (${((concurrent / allSeconds) * 60).toFixed(0)} per minute)`,
    ].join('\n'),
  );
  return true;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
