import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Per-client rate limiting (by remote address; behind a load balancer set `trustProxy` so it is the shopper's).
 * Routes opt out with `config: { rateLimit: false }` (health and metrics, which the kubelet and Prometheus poll).
 */
export default fp(
  async function rateLimitPlugin(app: FastifyInstance, options: { perMinute: number }) {
    if (options.perMinute <= 0) return;
    await app.register(rateLimit, {
      max: options.perMinute,
      timeWindow: 60_000,
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        code: 'SHAZAM_SEARCH_RATE_LIMITED',
        error: 'Too Many Requests',
        message: `more than ${context.max} requests in ${context.after}; retry after the Retry-After header's seconds`,
      }),
    });
  },
  { name: 'shazam-rate-limit' },
);
