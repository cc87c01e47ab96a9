import type { Parameters } from 'fast-check';

/**
 * fast-check settings of the validation property tests: a bounded number of cases in `npm test`, and with
 * `SHAZAM_FUZZ=1` (`npm run fuzz`) runs without a case limit until `SHAZAM_FUZZ_SECONDS` (default: no limit,
 * stop with Ctrl-C) — a counterexample is printed with its seed either way.
 */
export function fuzzParameters(
  boundedRuns: number,
  env: NodeJS.ProcessEnv = process.env,
): Parameters<unknown> {
  if (env.SHAZAM_FUZZ !== '1') return { numRuns: boundedRuns };
  const seconds = Number(env.SHAZAM_FUZZ_SECONDS);
  return {
    numRuns: Number.MAX_SAFE_INTEGER,
    ...(Number.isFinite(seconds) && seconds > 0 ? { interruptAfterTimeLimit: seconds * 1000 } : {}),
    markInterruptAsFailure: false,
  };
}

/** The per-test timeout to go with {@link fuzzParameters}: none when fuzzing. */
export function fuzzTimeout(boundedMs: number, env: NodeJS.ProcessEnv = process.env): number {
  return env.SHAZAM_FUZZ === '1' ? 0 : boundedMs;
}
