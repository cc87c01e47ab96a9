import type { CliCommand, CliIO } from '../lib/cli/command.ts';
import { UsageError } from '../lib/cli/command.ts';

type Loader = () => Promise<{ command: CliCommand }>;

/** Every subcommand, loaded on demand so that `shazam lint` does not pay for the renderer. */
const COMMANDS: Record<string, Loader> = {
  lint: () => import('./commands/lint.ts'),
  validate: () => import('../validation/cli/validate.ts'),
  'validate-job': () => import('../validation/cli/validate-job.ts'),
  render: () => import('../render-job/cli/render.ts'),
  'render-job': () => import('../render-job/cli/render-job.ts'),
  pack: () => import('./commands/pack.ts'),
  submit: () => import('./commands/submit.ts'),
  status: () => import('./commands/status.ts'),
  qa: () => import('./commands/qa.ts'),
  operator: () => import('../operator/cli.ts'),
  'search-api': () => import('../search-api/cli.ts'),
};

async function help(io: CliIO): Promise<number> {
  // `kubectl shazam` when run as the kubectl plugin (bin/kubectl-shazam).
  const program = io.env.SHAZAM_INVOKED_AS ?? 'shazam';
  const lines = [`usage: ${program} <command> [options]`, '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const summary = await load().then(
      (module) => module.command.summary,
      () => '(not available in this build)',
    );
    lines.push(`  ${name.padEnd(14)} ${summary}`);
  }
  lines.push('', `Run \`${program} <command> --help\` for the options of a command.`);
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

/** Runs `shazam` with `argv` (without the node and script paths) and returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return help(io);
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`shazam: unknown command "${name}". Run \`shazam help\` for the list of commands.\n`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`shazam ${name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    throw error;
  }
}

/** Runs the CLI as a process: real stdout/stderr, exit code on `process.exitCode`. */
export async function runProcess(): Promise<void> {
  const io: CliIO = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
  try {
    process.exitCode = await main(process.argv.slice(2), io);
  } catch (error) {
    process.stderr.write(
      `shazam: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
