/** Options of {@link exponentialBackoff}. */
export interface BackoffOptions {
  /** First delay in milliseconds. */
  initialMs: number;
  /** Largest delay in milliseconds. */
  maxMs: number;
  /** Multiplier per failure; 2 doubles. */
  factor?: number;
  /** Fraction of random spread added on top (0.1 adds up to 10 %), so that many clients do not retry in step. */
  jitter?: number;
}

/**
 * The delay before retry number `failures` (1 for the first retry): `initialMs * factor^(failures-1)`,
 * capped at `maxMs`, plus jitter. `random` is injectable so tests are deterministic.
 */
export function exponentialBackoff(
  failures: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const factor = options.factor ?? 2;
  const exponent = Math.max(0, failures - 1);
  // Capping the exponent first keeps the arithmetic finite for keys that have failed thousands of times.
  const raw = options.initialMs * factor ** Math.min(exponent, 64);
  const capped = Math.min(options.maxMs, raw);
  const jitter = options.jitter ?? 0;
  return jitter > 0 ? capped + capped * jitter * random() : capped;
}
