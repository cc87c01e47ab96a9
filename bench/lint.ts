/**
 * `npm run bench:lint`: how long `shazam lint` takes to check the example manifests, against the check it
 * replaces, a server-side dry run (`kubectl create --dry-run=server`) on a real kube-apiserver with the
 * same CRDs, both in the same run on the same machine. Also confirms the two agree on every file.
 *
 * Three figures, each with the ratio peer ÷ ours (above 1 means lint is faster):
 *   - per manifest, in process (lintFiles, CRDs loaded once) vs one dry-run request per file through kubectl;
 *   - the whole set as a pre-commit hook runs it (one `shazam lint` process) vs one `kubectl create
 *     --dry-run=server -f <dir>` process for the same files;
 *   - the cold start of `shazam lint` on one file vs kubectl on one file.
 *
 * Options (environment): BENCH_ROUNDS (default 5).
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { applyCrds } from '../dev/local-cluster/apply-crds.ts';
import { loadCrdCatalog } from '../lint/crd-catalog.ts';
import { lintFiles } from '../lint/lint-files.ts';
import { ensureBinaries, startControlPlane } from '../test/harness/index.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function manifests(): string[] {
  const dir = (d: string) =>
    readdirSync(join(ROOT, d))
      .filter((f) => f.endsWith('.yaml') && !f.endsWith('.patch.yaml'))
      .sort()
      .map((f) => join(ROOT, d, f));
  return [...dir('examples'), ...dir('examples/invalid')];
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** Median of `ROUNDS` timings of `fn`. */
async function median(fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) samples.push((await time(fn)).ms);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function exitCode(command: string, args: string[]): Promise<number> {
  try {
    await run(command, args, { maxBuffer: 16 * 1024 * 1024 });
    return 0;
  } catch (error) {
    return typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1;
  }
}

const line = (label: string, ours: number, peer: number, unit = 'ms') =>
  `${label.padEnd(44)} lint ${ours.toFixed(2).padStart(9)} ${unit}   apiserver ${peer.toFixed(2).padStart(9)} ${unit}   ratio ${(peer / ours).toFixed(1)}x`;

async function main(): Promise<void> {
  const files = manifests();
  const binaries = await ensureBinaries();
  const cp = await startControlPlane({ binaries });
  const scratch = await mkdtemp(join(tmpdir(), 'shazam-bench-lint-'));
  try {
    await applyCrds(binaries.kubectl, cp.kubeconfigPath, join(ROOT, 'crds'));
    const kubectl = (args: string[]) =>
      exitCode(binaries.kubectl, ['--kubeconfig', cp.kubeconfigPath, '-n', 'default', ...args]);

    // Verdicts first: a fast linter that disagrees with the apiserver would be worthless.
    let agree = 0;
    for (const file of files) {
      const server = (await kubectl(['create', '--dry-run=server', '-f', file])) === 0;
      const report = await lintFiles([file]);
      const lint = !report.findings.some((f) => f.severity === 'error');
      if (server === lint) agree++;
      else
        process.stdout.write(
          `DISAGREE ${file}: apiserver ${server ? 'accepts' : 'rejects'}, lint ${lint ? 'accepts' : 'rejects'}\n`,
        );
    }
    process.stdout.write(`verdicts: ${agree}/${files.length} files agree\n\n`);

    const catalog = loadCrdCatalog();
    await lintFiles(files, { catalog });
    const oursAll = await median(() => lintFiles(files, { catalog }));
    const peerAll = await median(async () => {
      for (const file of files) await kubectl(['create', '--dry-run=server', '-f', file]);
    });
    process.stdout.write(
      `${line('per manifest, in process vs kubectl per file', oursAll / files.length, peerAll / files.length)}\n`,
    );

    // One directory holding exactly the measured files, so both tools see the same set.
    const dir = join(scratch, 'manifests');
    await run('mkdir', ['-p', dir]);
    for (const [i, file] of files.entries())
      await symlink(file, join(dir, `${String(i).padStart(3, '0')}.yaml`));
    const cli = join(ROOT, 'bin/shazam.js');
    const oursHook = await median(() => exitCode(process.execPath, [cli, 'lint', '--quiet', dir]));
    const peerHook = await median(() => kubectl(['create', '--dry-run=server', '-f', dir]));
    process.stdout.write(`${line(`all ${files.length} files, one process each side`, oursHook, peerHook)}\n`);

    const one = files[0]!;
    const oursCold = await median(() => exitCode(process.execPath, [cli, 'lint', '--quiet', one]));
    const peerCold = await median(() => kubectl(['create', '--dry-run=server', '-f', one]));
    process.stdout.write(`${line('one file, cold process', oursCold, peerCold)}\n`);
    process.stdout.write(
      '\nThe apiserver figures exclude starting the control plane; lint needs no cluster at all.\n',
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await cp.stop();
  }
}

await main();
