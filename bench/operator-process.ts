/**
 * The operator as the benchmarks run it: its own process, compiled as the images run it (one esbuild bundle
 * of `operator/cli.ts`, dependencies from node_modules), not through tsx, whose in-process compiler would
 * count in its memory. `BENCH_OPERATOR=tsx` runs `bin/shazam.js operator` instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'node_modules', '.cache', 'shazam-bench', 'operator.mjs');

let compiled: Promise<string> | undefined;

/** Bundles `shazam operator` once per benchmark process; returns the path of the bundle. */
export function compileOperator(): Promise<string> {
  compiled ??= (async () => {
    mkdirSync(join(OUT, '..'), { recursive: true });
    await build({
      stdin: {
        contents: [
          `import { command } from ${JSON.stringify(join(ROOT, 'operator/cli.ts'))};`,
          'const io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env, cwd: process.cwd() };',
          'process.exitCode = await command.run(process.argv.slice(2), io);',
        ].join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: OUT,
      logLevel: 'warning',
    });
    return OUT;
  })();
  return compiled;
}

/** Starts `shazam operator --config <configPath>` with `env`; stderr is passed through. */
export async function spawnOperator(configPath: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const args =
    process.env.BENCH_OPERATOR === 'tsx'
      ? [join(ROOT, 'bin/shazam.js'), 'operator', '--config', configPath]
      : [await compileOperator(), '--config', configPath];
  return spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, in MiB. */
export function memoryOf(pid: number): { peakMiB: number; rssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { peakMiB: kb('VmHWM') / 1024, rssMiB: kb('VmRSS') / 1024 };
}

/** CPU seconds (user + system) a process has used. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(stat[11]) + Number(stat[12])) / 100;
}

/** Polls `url` until it answers 200, or throws after `timeoutMs`. Returns the milliseconds waited. */
export async function waitForOk(url: string, child: ChildProcess, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends SIGTERM and waits for the exit. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
