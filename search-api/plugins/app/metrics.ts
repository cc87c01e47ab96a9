import type { S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerProcessMetrics } from '../../../lib/metrics/process-metrics.ts';
import { createS3RequestMetrics } from '../../../lib/metrics/s3-request-metrics.ts';
import { instrumentS3Client } from '../../../lib/storage/s3-client.ts';

/** The service's Prometheus metrics. */
export interface SearchMetrics {
  registry: Registry;
  /** Counts a search; `found` is whether it returned at least one hit (the search success rate). */
  countSearch(kind: 'text' | 'image', found: boolean): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: SearchMetrics;
  }
}

/** Options of the metrics plugin. */
export interface MetricsPluginOptions {
  /** The service's S3 client: every request it sends is counted (`shazam_s3_requests_total`). */
  s3?: S3Client;
}

/**
 * Request latency by route, searches by outcome, the index size, S3 requests and the process's own
 * metrics (RSS, CPU, open file descriptors, event-loop lag). The search success rate is
 * `sum(rate(shazam_search_searches_total{outcome="hit"}[5m])) / sum(rate(shazam_search_searches_total[5m]))`.
 */
export default fp(
  async function metricsPlugin(app: FastifyInstance, options: MetricsPluginOptions) {
    const registry = new Registry();
    registerProcessMetrics(registry);
    if (options.s3) instrumentS3Client(options.s3, createS3RequestMetrics(registry));
    const latency = new Histogram({
      name: 'shazam_search_http_request_duration_seconds',
      help: 'Latency of HTTP requests by route, method and status code.',
      labelNames: ['route', 'method', 'status_code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    const searches = new Counter({
      name: 'shazam_search_searches_total',
      help: 'Searches by kind (text, image) and outcome (hit: at least one result; empty).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
    new Gauge({
      name: 'shazam_search_index_assets',
      help: 'Published assets in the index.',
      registers: [registry],
      collect() {
        this.set(app.catalog.size);
      },
    });
    new Gauge({
      name: 'shazam_search_index_frames',
      help: 'Turntable frames with photo descriptors in the index.',
      registers: [registry],
      collect() {
        this.set(app.catalog.imageStats.frames);
      },
    });
    new Gauge({
      name: 'shazam_search_ready',
      help: '1 once the first list of published assets is indexed.',
      registers: [registry],
      collect() {
        this.set(app.readiness.isReady() ? 1 : 0);
      },
    });
    app.decorate('metrics', {
      registry,
      countSearch(kind, found) {
        searches.inc({ kind, outcome: found ? 'hit' : 'empty' });
      },
    } satisfies SearchMetrics);
    // A callback hook, not an async one: it runs on every request.
    app.addHook('onResponse', function observeLatency(request, reply, done) {
      latency.observe(
        {
          route: request.routeOptions.url ?? 'unmatched',
          method: request.method,
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
  },
  { name: 'shazam-metrics', dependencies: ['shazam-catalog'] },
);
