/**
 * The metrics of a Job program (validation, render): it has no `/metrics` to scrape and ends within
 * minutes, so it counts its S3 requests and samples the process, and logs both in one JSON line when it
 * ends (`msg: "Process metrics"`), where the cluster's log pipeline picks them up.
 */
import { Registry } from 'prom-client';
import { type ProcessSummary, startProcessSampler } from './process-metrics.ts';
import { createS3RequestMetrics, type S3RequestMetrics } from './s3-request-metrics.ts';

/** What a Job logs when it ends. */
export interface JobMetricsSummary {
  process: ProcessSummary;
  /** `shazam_s3_requests_total` as `{"GetObject success": 1, …}`. */
  s3Requests: Record<string, number>;
}

/** A Job's metrics: pass `s3` to `createS3Client`, log `summary()` at the end, then `stop()`. */
export interface JobMetrics {
  s3: S3RequestMetrics;
  summary(): Promise<JobMetricsSummary>;
  stop(): void;
}

/**
 * Starts a Job's metrics.
 *
 * @example
 * ```ts
 * const metrics = startJobMetrics();
 * const s3 = createS3Client(s3ConnectionFromEnv(env), { metrics: metrics.s3 });
 * try { … } finally { log.info(await metrics.summary(), 'Process metrics'); metrics.stop(); }
 * ```
 */
export function startJobMetrics(): JobMetrics {
  const s3 = createS3RequestMetrics(new Registry());
  const sampler = startProcessSampler();
  return {
    s3,
    async summary() {
      const s3Requests: Record<string, number> = {};
      for (const row of await s3.counts()) s3Requests[`${row.operation} ${row.outcome}`] = row.count;
      return { process: sampler.summary(), s3Requests };
    },
    stop: () => sampler.stop(),
  };
}
