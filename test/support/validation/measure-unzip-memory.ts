/**
 * Runs the safe unzip over every `*.zip` in a folder in a fresh process and prints, as JSON, the codes of
 * the error findings per file and the process's peak resident memory, before the first archive and after
 * the last. The hostile-corpus test runs it as a
 * child process so that the memory figure is the unzip's alone.
 *
 * usage: tsx test/support/validation/measure-unzip-memory.ts <folder-of-zips> <scratch-folder>
 * Each `<name>.zip` may have a `<name>.policy.json` beside it with archive-policy overrides.
 */
import { readdir, readFile } from 'node:fs/promises';
import { platform } from 'node:os';
import { join } from 'node:path';
import { safeUnzip } from '../../../validation/archive/safe-unzip.ts';
import { DEFAULT_POLICY } from '../../../validation/policy/policy.ts';

const [folder, scratch] = process.argv.slice(2);
if (!folder || !scratch) {
  process.stderr.write('usage: measure-unzip-memory.ts <folder-of-zips> <scratch-folder>\n');
  process.exit(2);
}
// The peak so far is the runtime's and the loader's: the unzip's own cost is what the run adds to it.
const startRssBytes = await peakRss();
const results: Record<string, { codes: string[]; files: number }> = {};
for (const name of (await readdir(folder)).filter((entry) => entry.endsWith('.zip')).sort()) {
  const id = name.slice(0, -'.zip'.length);
  const overrides = await readFile(join(folder, `${id}.policy.json`), 'utf8').then(JSON.parse, () => ({}));
  const outcome = await safeUnzip(join(folder, name), {
    destDir: join(scratch, id, 'out'),
    nestedDir: join(scratch, id, 'nested'),
    policy: { ...DEFAULT_POLICY.archive, ...overrides },
  });
  results[id] = {
    codes: outcome.findings.filter((item) => item.severity === 'error').map((item) => item.code),
    files: outcome.files.length,
  };
}
process.stdout.write(`${JSON.stringify({ results, startRssBytes, maxRssBytes: await peakRss() })}\n`);

/**
 * Peak resident memory of this process. On Linux, VmHWM of /proc/self/status: unlike getrusage's maxrss it
 * is not inherited from the parent that forked us (exec keeps the larger of the two in maxrss).
 */
async function peakRss(): Promise<number> {
  if (platform() === 'linux') {
    const status = await readFile('/proc/self/status', 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (match) return Number(match[1]) * 1024;
  }
  return process.resourceUsage().maxRSS * 1024;
}
