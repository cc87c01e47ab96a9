/**
 * Runs the search API as a server: builds the app, listens, sets connection timeouts, and closes gracefully
 * on SIGTERM/SIGINT: new requests are answered 503 (so the Service routes elsewhere), requests in flight
 * finish within the grace period, then the watch stops.
 */
import type { FastifyInstance } from 'fastify';
import { loadKubeConfig } from '../lib/kube/kubeconfig.ts';
import { createS3Client } from '../lib/storage/s3-client.ts';
import { buildApp } from './app.ts';
import type { SearchApiConfig } from './config.ts';
import { guardPublicPort, listenOperations } from './operations-port.ts';

/** A running search API. */
export interface RunningSearchApi {
  app: FastifyInstance;
  /** The base URL it listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The operations port's base URL (`/metrics`, `/docs`), e.g. `http://127.0.0.1:9090`. */
  operationsUrl: string;
  /** Stops listening, waits up to the grace period for requests in flight, stops the watch. */
  close(): Promise<void>;
}

/**
 * Starts the search API (the `shazam search-api` command, and the demo, which passes its own config).
 *
 * @example
 * ```ts
 * const api = await startSearchApi(loadSearchApiConfig([], process.env), { env: process.env });
 * await api.app.readiness.whenReady();
 * ```
 */
export async function startSearchApi(
  config: SearchApiConfig,
  options: { env?: NodeJS.ProcessEnv; handleSignals?: boolean } = {},
): Promise<RunningSearchApi> {
  const kubeConfig = loadKubeConfig({ path: config.kubeconfig, env: options.env ?? {} });
  const s3 = createS3Client(config.s3);
  const app = await buildApp({
    config,
    s3,
    kube: { kubeConfig, namespaces: config.namespaces },
    logger: { level: config.logLevel },
  });
  app.server.keepAliveTimeout = 65_000;
  // Above the request timeout, Node would stop enforcing the request timeout (headers are part of it).
  app.server.headersTimeout = Math.min(66_000, config.requestTimeoutMs);
  guardPublicPort(app);
  const url = await app.listen({ host: config.host, port: config.port });
  const operations = await listenOperations(app, config.host, config.metricsPort).catch(async (error) => {
    await app.close();
    throw error;
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const force = setTimeout(() => app.server.closeAllConnections(), config.shutdownGraceMs);
      force.unref();
      await app.close();
      await operations.close();
      clearTimeout(force);
      s3.destroy();
    })();
    return closing;
  };
  if (options.handleSignals) {
    const onSignal = (signal: NodeJS.Signals): void => {
      app.log.info({ signal }, 'Shutting down');
      void close();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { app, url, operationsUrl: operations.url, close };
}
