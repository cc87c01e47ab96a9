import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifySchema {
    /** An OpenAPI requestBody for the document only: fastify does not validate it (see the transform). */
    'x-request-body'?: unknown;
  }
}

/** The OpenAPI 3 document (built from the route schemas) and its browsable page at `/docs`. */
export default fp(
  async function swaggerPlugin(app: FastifyInstance) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'SHAZAM search API',
          description: 'Published 3D product assets by ASIN, text or photo, for the storefront.',
          version: '1.0.0',
        },
        tags: [
          { name: 'assets', description: 'Published assets' },
          { name: 'search', description: 'Text and photo search' },
          { name: 'operations', description: 'Health, readiness and metrics' },
        ],
      },
      // A route documents a body that fastify must not validate (a photo read by its own content-type
      // parsers) under `x-request-body`; the document gets it as the operation's requestBody.
      transform: ({ schema, url }) => {
        const { 'x-request-body': requestBody, ...rest } = (schema ?? {}) as Record<string, unknown>;
        return { schema: (requestBody ? { ...rest, body: requestBody } : schema) as typeof schema, url };
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`),
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false } });
  },
  { name: 'shazam-swagger' },
);
