/**
 * The operator as the benchmarks run it: its own process, compiled as the images run it (one esbuild bundle
 * of `operator/cli.ts`, dependencies from node_modules), not through tsx, whose in-process compiler would
 * count in its memory. `BENCH_OPERATOR=tsx` runs `bin/shazam.js operator` instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parse as parseYaml } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'shazam-bench');

const compiled = new Map<string, Promise<string>>();

/** Bundles `shazam operator` once per benchmark process; returns the path of the bundle. */
export function compileOperator(): Promise<string> {
  return compileCommand('operator/cli.ts');
}

/** Bundles the CLI command exported by `file` (`operator/cli.ts`, `search-api/cli.ts`) once. */
export function compileCommand(file: string): Promise<string> {
  const OUT = join(CACHE, `${file.replaceAll('/', '-').replace(/\.ts$/, '')}.mjs`);
  let done = compiled.get(file);
  if (done) return done;
  done = (async () => {
    mkdirSync(CACHE, { recursive: true });
    await build({
      stdin: {
        contents: [
          `import { command } from ${JSON.stringify(join(ROOT, file))};`,
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
  compiled.set(file, done);
  return done;
}

/** Starts the bundled CLI command of `file` with `args` and `env`; stderr is passed through. */
export async function spawnCommand(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<ChildProcess> {
  return spawn(process.execPath, [await compileCommand(file), ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The client URL of the etcd serving `dataDir` (a control plane of the harness), read from its command line. */
export function etcdUrlOf(dataDir: string): string {
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!args.includes(`--data-dir=${join(dataDir, 'etcd')}`)) continue;
    const url = args.find((arg) => arg.startsWith('--listen-client-urls='));
    if (url) return url.slice('--listen-client-urls='.length);
  }
  throw new Error(`no etcd serving ${dataDir}`);
}

async function etcdCall<T>(url: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`etcd ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/**
 * etcd's database size in use after a compaction to the current revision and a defragmentation: the bytes
 * its data really takes, as its quota counts them.
 */
export async function etcdBytesInUse(url: string): Promise<number> {
  const status = await etcdCall<{ header: { revision: string } }>(url, '/v3/maintenance/status', {});
  await etcdCall(url, '/v3/kv/compaction', { revision: status.header.revision, physical: true }).catch(
    () => undefined,
  );
  await etcdCall(url, '/v3/maintenance/defragment', {});
  const after = await etcdCall<{ dbSizeInUse?: string; dbSize: string }>(url, '/v3/maintenance/status', {});
  return Number(after.dbSizeInUse ?? after.dbSize);
}

/**
 * The `NODE_OPTIONS` the operator's Deployment gives its container (`manifests/base/operator/deployment.yaml`),
 * so the benchmark runs it with the heap settings it has in a cluster; `BENCH_NODE_OPTIONS` overrides them.
 */
export function operatorNodeOptions(): string {
  const override = process.env.BENCH_NODE_OPTIONS;
  if (override !== undefined) return override;
  const manifest = readFileSync(join(ROOT, 'manifests/base/operator/deployment.yaml'), 'utf8');
  const deployment = parseYaml(manifest) as {
    spec: {
      template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } };
    };
  };
  const container = deployment.spec.template.spec.containers.find((c) => c.name === 'operator');
  const value = container?.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value;
  if (value === undefined) throw new Error('the operator Deployment sets no NODE_OPTIONS');
  return value;
}

/**
 * Starts `shazam operator --config <configPath>` with `env` and the Deployment's `NODE_OPTIONS`
 * ({@link operatorNodeOptions}); stderr is passed through.
 */
export async function spawnOperator(configPath: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const args =
    process.env.BENCH_OPERATOR === 'tsx'
      ? [join(ROOT, 'bin/shazam.js'), 'operator', '--config', configPath]
      : [await compileOperator(), '--config', configPath];
  return spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_OPTIONS: operatorNodeOptions(), ...env },
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
  // Exited already (a signal sets signalCode, not exitCode): its 'exit' event has fired and will not again.
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
