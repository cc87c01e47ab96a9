/**
 * `shazam_s3_requests_total{operation,outcome}` and `shazam_s3_request_duration_seconds{operation}`: every
 * S3 call of a process, counted by the middleware that `createS3Client` installs (lib/storage/s3-client.ts).
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { S3RequestObserver } from '../storage/s3-client.ts';

/** The S3 request metrics of one registry; pass it to `createS3Client` or `instrumentS3Client`. */
export interface S3RequestMetrics extends S3RequestObserver {
  /** Requests counted so far, by `operation` and `outcome` (for Job summaries and tests). */
  counts(): Promise<Array<{ operation: string; outcome: string; count: number }>>;
}

/** Seconds: an S3 GET of a small JSON takes milliseconds, a GLB upload seconds, retries to a dead endpoint longer. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Registers the S3 request metrics in `registry`.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * const s3 = createS3Client(config, { metrics: createS3RequestMetrics(registry) });
 * ```
 */
export function createS3RequestMetrics(registry: Registry): S3RequestMetrics {
  const requests = new Counter({
    name: 'shazam_s3_requests_total',
    help: 'S3 requests by operation (GetObject, PutObject, …) and outcome (success, not_found, access_denied, unavailable, …).',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'shazam_s3_request_duration_seconds',
    help: 'Time one S3 call took, retries included, by operation.',
    labelNames: ['operation'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  return {
    observe(operation, outcome, seconds) {
      requests.inc({ operation, outcome });
      duration.observe({ operation }, seconds);
    },
    async counts() {
      const { values } = await requests.get();
      return values.map((value) => ({
        operation: String(value.labels.operation),
        outcome: String(value.labels.outcome),
        count: value.value,
      }));
    },
  };
}
