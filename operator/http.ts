/**
 * The operator's HTTP endpoints: `/healthz` (the process is alive), `/readyz` (every informer cache has
 * synced) and `/metrics` (Prometheus text). Metrics and health may share a port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Options of {@link startHttpEndpoints}. */
export interface HttpEndpointsOptions {
  host: string;
  metricsPort: number;
  healthPort: number;
  registry: Registry;
  ready: () => boolean;
}

/** Bound endpoints. */
export interface HttpEndpoints {
  /** Base URL serving /metrics. */
  metricsUrl: string;
  /** Base URL serving /healthz and /readyz. */
  healthUrl: string;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${address.port}`);
    });
  });
}

/** Starts the endpoints; with equal ports one server serves all three paths. */
export async function startHttpEndpoints(options: HttpEndpointsOptions): Promise<HttpEndpoints> {
  const handler =
    (paths: { metrics: boolean; health: boolean }) =>
    (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => {
      const path = (request.url ?? '/').split('?')[0];
      if (paths.health && path === '/healthz') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (paths.health && path === '/readyz') {
        const ready = options.ready();
        response
          .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
          .end(ready ? 'ok\n' : 'caches not synced\n');
      } else if (paths.metrics && path === '/metrics') {
        options.registry.metrics().then(
          (text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
          (error: Error) =>
            response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
        );
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    };
  const shared = options.metricsPort === options.healthPort && options.metricsPort !== 0;
  const servers: Server[] = [];
  let metricsUrl: string;
  let healthUrl: string;
  if (shared) {
    const server = createServer(handler({ metrics: true, health: true }));
    servers.push(server);
    metricsUrl = await listen(server, options.host, options.metricsPort);
    healthUrl = metricsUrl;
  } else {
    const metricsServer = createServer(handler({ metrics: true, health: false }));
    const healthServer = createServer(handler({ metrics: false, health: true }));
    servers.push(metricsServer, healthServer);
    metricsUrl = await listen(metricsServer, options.host, options.metricsPort);
    healthUrl = await listen(healthServer, options.host, options.healthPort);
  }
  return {
    metricsUrl,
    healthUrl,
    close: () =>
      Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      ).then(() => undefined),
  };
}
