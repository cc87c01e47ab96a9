/**
 * The search bench's load generator, in its own process so that it does not share the server's event loop
 * (in one process, every request's client work is on the server's thread and the ratios measure both).
 *
 * Reads `{url, paths, seconds, connections}` as JSON on stdin, cycles through `paths` with autocannon, and
 * writes `{requests, total, p99, non2xx, errors}` as JSON on stdout.
 */
import { createRequire } from 'node:module';
import { text } from 'node:stream/consumers';

interface LoadRequest {
  url: string;
  paths: string[];
  seconds: number;
  connections: number;
}

/** What the parent reads back. */
export interface LoadResult {
  /** Mean requests per second. */
  requests: number;
  /** Requests completed. */
  total: number;
  /** 99th percentile latency, ms. */
  p99: number;
  non2xx: number;
  errors: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const request = JSON.parse(await text(process.stdin)) as LoadRequest;
let next = 0;
const result = await autocannon({
  url: request.url,
  connections: request.connections,
  duration: request.seconds,
  requests: [
    {
      setupRequest: (r: Record<string, unknown>) => ({
        ...r,
        path: request.paths[next++ % request.paths.length],
      }),
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requests: result.requests.average,
    total: result.requests.total,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  } satisfies LoadResult),
);
