/**
 * Process metrics for every SHAZAM process: prom-client's default collectors (`process_resident_memory_bytes`,
 * `process_cpu_seconds_total`, `process_open_fds`, `nodejs_eventloop_lag_seconds` and its percentiles, heap,
 * GC, handles) for the servers' `/metrics`, and a one-line summary of the same figures for the Jobs, which
 * have no `/metrics` and log it when they end.
 */
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * Registers the default process and Node.js metrics in `registry`. Call once per registry.
 *
 * Caveat: the event-loop lag collector keeps a `monitorEventLoopDelay` histogram running for the life of
 * the process, one per registry.
 */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
}

/** The process figures a Job logs when it ends. */
export interface ProcessSummary {
  /** Resident set size now. */
  rssBytes: number;
  /** Peak resident set size over the process's life. */
  maxRssBytes: number;
  /** CPU time used, user + system. */
  cpuSeconds: number;
  /** Open file descriptors now (`undefined` where /proc is missing). */
  openFds: number | undefined;
  /** Event-loop lag while sampled: 99th percentile and maximum. */
  eventLoopLagP99Seconds: number;
  eventLoopLagMaxSeconds: number;
  /** Wall time since the sampler started. */
  wallSeconds: number;
}

/** A running {@link startProcessSampler}. */
export interface ProcessSampler {
  /** The figures so far. */
  summary(): ProcessSummary;
  /** Stops the event-loop monitor. */
  stop(): void;
}

/**
 * Starts sampling event-loop lag (the other figures are read when asked).
 *
 * @example
 * ```ts
 * const sampler = startProcessSampler();
 * // … the Job's work …
 * log.info({ process: sampler.summary() }, 'Process metrics');
 * sampler.stop();
 * ```
 */
export function startProcessSampler(): ProcessSampler {
  const started = performance.now();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  return {
    summary() {
      const usage = process.resourceUsage();
      const seconds = (nanoseconds: number) => (Number.isFinite(nanoseconds) ? nanoseconds / 1e9 : 0);
      return {
        rssBytes: process.memoryUsage.rss(),
        maxRssBytes: usage.maxRSS * 1024,
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
        openFds: openFileDescriptors(),
        eventLoopLagP99Seconds: lag.count > 0 ? seconds(lag.percentile(99)) : 0,
        eventLoopLagMaxSeconds: lag.count > 0 ? seconds(lag.max) : 0,
        wallSeconds: (performance.now() - started) / 1000,
      };
    },
    stop() {
      lag.disable();
    },
  };
}

function openFileDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
