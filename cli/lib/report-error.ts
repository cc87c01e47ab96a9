import type { CliIO } from '../../lib/cli/command.ts';
import { KubeError } from '../../lib/kube/errors.ts';
import { ClientError } from '../../lib/shazam-client/errors.ts';

/**
 * Prints an expected failure (a ClientError, or a KubeError such as a missing kubeconfig) as one line
 * `shazam <command>: <code>: <message>` and returns exit code 1. Anything else is a bug and is rethrown
 * so its stack is shown.
 */
export function reportError(io: CliIO, command: string, error: unknown): number {
  if (error instanceof ClientError || error instanceof KubeError) {
    io.stderr(`shazam ${command}: ${error.code}: ${error.message}\n`);
    return 1;
  }
  throw error;
}
