/**
 * Entry point of the standalone render bundle (`render-job/scripts/bundle.sh`): only `render` and
 * `render-job`, so the bundle carries the renderer and nothing of the operator or the search API.
 *
 * @example
 * ```sh
 * ./run.sh render model.glb --out frames --backend vulkan
 * ```
 */
import type { CliCommand, CliIO } from '../../lib/cli/command.ts';
import { UsageError } from '../../lib/cli/command.ts';
import { command as render } from './render.ts';
import { command as renderJob } from './render-job.ts';

const COMMANDS: Record<string, CliCommand> = { render, 'render-job': renderJob };

/** Runs one bundled command and returns its exit status. */
export async function bundleMain(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`usage: run.sh <render|render-job> [options]   (run.sh <command> --help for the options)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    io.stderr(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

const io: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};
process.exitCode = await bundleMain(process.argv.slice(2), io);
