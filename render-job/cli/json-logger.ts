import pino from 'pino';
import type { KubeLogger } from '../../lib/kube/logger.ts';

/**
 * A pino logger writing JSON lines to `write` (stderr for the CLI, so stdout keeps the human summary),
 * at `debug` level when verbose.
 *
 * @example
 * ```ts
 * const log = jsonLineLogger((line) => process.stderr.write(line), false);
 * ```
 */
export function jsonLineLogger(write: (line: string) => void, verbose: boolean): KubeLogger {
  return pino(
    { name: 'shazam-render', level: verbose ? 'debug' : 'info', base: { component: 'render-job' } },
    { write },
  );
}
