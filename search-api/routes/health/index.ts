import type { FastifyInstance } from 'fastify';

/** `/healthz` (the process answers), `/readyz` (the index is loaded), `/metrics` and `/openapi.json`. */
export default async function operationsRoutes(app: FastifyInstance): Promise<void> {
  const config = { rateLimit: false } as const;
  const tags = ['operations'];
  app.get('/healthz', { config, schema: { tags, summary: 'Liveness' } }, async () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { config, schema: { tags, summary: 'Readiness: 200 once the first list is indexed' } },
    async (_request, reply) => {
      const ready = app.readiness.isReady();
      reply.code(ready ? 200 : 503);
      return { status: ready ? 'ready' : 'loading', assets: app.catalog.size };
    },
  );
  app.get(
    '/metrics',
    { config, schema: { tags, summary: 'Prometheus metrics' } },
    async (_request, reply) => {
      reply.type(app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    },
  );
  app.get('/openapi.json', { config, schema: { hide: true } }, async () => app.swagger());
}
