import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** A server process the harness started and must stop. */
export interface ManagedProcess {
  name: string;
  pid: number;
  /** Resolves with the exit code (or signal name) when the process ends, for whatever reason. */
  exited: Promise<number | string>;
  /** The last lines the process printed (stdout and stderr), for error messages. */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@link startManagedProcess}. */
export interface StartManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** File that receives everything the process prints. */
  logFile?: string;
}

const KEEP_LINES = 400;

/**
 * Starts a long-running server process whose lifetime is tied to this Node process.
 *
 * Guarantees: besides the `stop()` the caller makes, a detached watchdog shell kills the process (TERM, then
 * KILL) within about a second of this Node process dying by any means, SIGKILL included, so an interrupted
 * test run leaves no etcd or kube-apiserver behind holding ports.
 */
export function startManagedProcess(options: StartManagedProcessOptions): ManagedProcess {
  const child: ChildProcess = spawn(options.command, options.args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  const pid = child.pid;
  const lines: string[] = [];
  const file: WriteStream | undefined = options.logFile ? createWriteStream(options.logFile) : undefined;
  const collect = (chunk: Buffer) => {
    file?.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue;
      lines.push(line);
      if (lines.length > KEEP_LINES) lines.shift();
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      file?.end();
      resolve(code ?? signal ?? 'unknown');
    });
    child.on('error', (error) => {
      lines.push(String(error));
      resolve('spawn-error');
    });
  });

  const watchdog = spawn(
    'sh',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; ' +
        'if kill -0 "$2" 2>/dev/null; then kill -TERM "$2"; sleep 5; kill -KILL "$2" 2>/dev/null; fi',
      'watchdog',
      String(process.pid),
      String(pid),
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();

  let stopping: Promise<void> | undefined;
  return {
    name: options.name,
    pid,
    exited,
    tail: (count = 40) => lines.slice(-count).join('\n'),
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}
