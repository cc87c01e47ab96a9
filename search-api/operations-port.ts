/**
 * The operations port: `/metrics` (Prometheus) and `/docs` (the browsable OpenAPI page) are served on a
 * listener of their own, never on the public port the load balancer reaches. Both listeners route into the
 * same fastify instance; a request arriving on the public port for an operations path gets the API's 404.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

const OPERATIONS = Symbol('shazam.operations-port');
type Marked = IncomingMessage & { [OPERATIONS]?: true };

/** Whether a request path is served only on the operations port. */
export function isOperationsPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path === '/metrics' || path === '/docs' || path.startsWith('/docs/');
}

/** Answers operations paths with 404 unless the request came in on the operations listener. */
export function guardPublicPort(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    if ((request.raw as Marked)[OPERATIONS] !== true && isOperationsPath(request.url)) {
      reply.callNotFound();
      return;
    }
    done();
  });
}

/** A running operations listener. */
export interface OperationsListener {
  url: string;
  close(): Promise<void>;
}

/** Listens on the operations port, routing every request into `app` (call after `app.ready()`). */
export async function listenOperations(
  app: FastifyInstance,
  host: string,
  port: number,
): Promise<OperationsListener> {
  const server = createServer((request, response) => {
    (request as Marked)[OPERATIONS] = true;
    app.routing(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
