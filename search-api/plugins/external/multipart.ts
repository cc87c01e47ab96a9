import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** multipart/form-data uploads for photo search: one file, capped at the configured size. */
export default fp(
  async function multipartPlugin(app: FastifyInstance, options: { maxBytes: number }) {
    await app.register(multipart, {
      limits: { fileSize: options.maxBytes, files: 1, fields: 4, parts: 5, fieldSize: 1024 },
      throwFileSizeLimit: true,
    });
  },
  { name: 'shazam-multipart' },
);
