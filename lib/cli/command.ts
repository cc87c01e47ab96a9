/** Where a command writes; tests pass their own to capture output. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** One `shazam` subcommand. `run` returns the process exit code. */
export interface CliCommand {
  /** One line for `shazam help`. */
  summary: string;
  /** Usage text printed by `shazam <command> --help` and on usage errors. */
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
