import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** CORS for the storefront origins of the configuration; no cross-origin access when none is configured. */
export default fp(
  async function corsPlugin(app: FastifyInstance, options: { origins: string[] }) {
    await app.register(cors, {
      origin: options.origins.length > 0 ? options.origins : false,
      methods: ['GET', 'HEAD', 'POST'],
      exposedHeaders: ['ETag'],
      maxAge: 600,
    });
  },
  { name: 'shazam-cors' },
);
