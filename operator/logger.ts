/**
 * The operator's structured JSON logger (pino): one line per event, `kind`/`namespace`/`name` as fields.
 */
import { pino } from 'pino';
import type { KubeLogger } from '../lib/kube/logger.ts';

/** A JSON logger writing to `destination` (stdout by default) at `level`. */
export function createJsonLogger(
  level: string,
  destination: { write(text: string): void } = process.stdout,
): KubeLogger {
  return pino(
    {
      level,
      base: { component: 'shazam-operator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
