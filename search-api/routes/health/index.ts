import type { FastifyInstance } from 'fastify';
import { errorResponses, readinessSchema } from '../../schemas/index.ts';

/** `/healthz` (the process answers), `/readyz` (the index is loaded), `/metrics` and `/openapi.json`. */
export default async function operationsRoutes(app: FastifyInstance): Promise<void> {
  const config = { rateLimit: false } as const;
  const tags = ['operations'];
  app.get(
    '/healthz',
    {
      config,
      schema: {
        operationId: 'healthz',
        tags,
        summary: 'Liveness',
        response: {
          200: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } },
          ...errorResponses(),
        },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      config,
      schema: {
        operationId: 'readyz',
        tags,
        summary: 'Readiness: 200 once the first list is indexed',
        response: { 200: readinessSchema, 503: readinessSchema, ...errorResponses() },
      },
    },
    async (_request, reply) => {
      const ready = app.readiness.isReady();
      reply.code(ready ? 200 : 503);
      return { status: ready ? 'ready' : 'loading', assets: app.catalog.size };
    },
  );
  app.get(
    '/metrics',
    {
      config,
      schema: {
        operationId: 'metrics',
        tags,
        summary: 'Prometheus metrics',
        produces: ['text/plain'],
        response: {
          200: { type: 'string', description: 'Prometheus text exposition format.' },
          ...errorResponses(),
        },
      },
    },
    async (_request, reply) => {
      reply.type(app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    },
  );
  app.get('/openapi.json', { config, schema: { hide: true } }, async () => app.swagger());
}
