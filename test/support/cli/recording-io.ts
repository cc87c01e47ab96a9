import type { CliIO } from '../../../lib/cli/command.ts';

/** A CliIO that records what a command writes, for tests. */
export interface RecordingIO extends CliIO {
  out: string[];
  err: string[];
  /** Everything written to stdout so far. */
  stdoutText(): string;
  /** Everything written to stderr so far. */
  stderrText(): string;
}

/** Builds a {@link RecordingIO} with `env` (nothing from the test process leaks in) and `cwd`. */
export function recordingIO(env: NodeJS.ProcessEnv, cwd: string): RecordingIO {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    env,
    cwd,
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
  };
}
