import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** Parent pid of every process now running, from /proc. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses; the fields after its last ')' are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      map.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while the table was read.
    }
  }
  return map;
}

/** Every process below `root`, with its command line. */
function descendants(root: number): Map<number, string> {
  const table = parents();
  const found = new Map<number, string>();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const [child, parent] of table) {
      if (parent !== pid || found.has(child)) continue;
      let command = '';
      try {
        command = readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {}
      found.set(child, command);
      queue.push(child);
    }
  }
  return found;
}

/** Whether `pid` still runs (a zombie waiting for its parent to read its status does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Starts `npm run demo` and resolves once etcd, kube-apiserver and S3 run and the pages server listens:
 * early, so that the demo cannot end on its own (Published, or a failure) before the signal arrives.
 */
async function startDemo(): Promise<{ npm: ChildProcess; output: () => string }> {
  const npm = spawn('npm', ['run', 'demo', '--', '--keep', '--port', '0', '--timeout', '10m'], {
    cwd: repo,
    env: { ...process.env, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  npm.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  npm.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  await until('the demo to start its control plane and pages', () => /\] Pages at /.test(text), 240_000);
  return { npm, output: () => text };
}

// A signal sent to npm's own process (not to its process group, as Ctrl-C in a terminal does) must stop
// every process the demo started: etcd, kube-apiserver, the S3 server, the operator and its Jobs.
describe('npm run demo, signalled through npm', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops every process it started when npm gets %s',
    async (signal) => {
      const { npm, output } = await startDemo();
      const pid = npm.pid as number;
      const started = descendants(pid);
      const commands = [...started.values()].join('\n');
      expect(commands).toMatch(/etcd/);
      expect(commands).toMatch(/kube-apiserver/);
      expect(commands).toMatch(/moto/);
      expect(commands).toMatch(/demo\/main\.ts/);
      const before = output().length;
      const exited = new Promise((resolve) => npm.once('exit', resolve));
      setTimeout(() => console.log('OUTPUT', output().slice(-1500)), 12000);
      process.kill(pid, signal);
      await exited;
      try {
        await until(
          'every process of the demo to stop',
          () => [...started.keys()].every((p) => !running(p)),
          60_000,
        );
      } catch (error) {
        const left = [...started].filter(([p]) => running(p)).map(([p, command]) => `${p} ${command}`);
        for (const [p] of started) if (running(p)) process.kill(p, 'SIGKILL');
        throw new Error(`${(error as Error).message}; still running:\n${left.join('\n')}\n\n${output()}`);
      }
      // It stopped because of the signal, cleanly, not by running on until it failed or finished.
      const after = output().slice(before);
      expect(after).toMatch(/shutting down/);
      expect(after).toContain('Stopped everything');
      expect(after).not.toMatch(/demo failed|Failed: shutting down|Done: shutting down/);
    },
    420_000,
  );
});
