import { KubeError } from '../../lib/kube/errors.ts';
import type { CliIO } from '../command.ts';
import { CliError } from './errors.ts';

/**
 * Prints an expected failure (a CliError, or a KubeError such as a missing kubeconfig) as one line
 * `shazam <command>: <code>: <message>` and returns exit code 1. Anything else is a bug and is rethrown
 * so its stack is shown.
 */
export function reportError(io: CliIO, command: string, error: unknown): number {
  if (error instanceof CliError || error instanceof KubeError) {
    io.stderr(`shazam ${command}: ${error.code}: ${error.message}\n`);
    return 1;
  }
  throw error;
}
