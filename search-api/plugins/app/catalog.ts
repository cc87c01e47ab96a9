import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AssetUrlResolver } from '../../asset-urls.ts';
import type { Catalog } from '../../catalog/catalog.ts';

/** Whether the catalogue holds the first full list of published assets. */
export interface Readiness {
  isReady(): boolean;
  /** Resolves once ready. */
  whenReady(): Promise<void>;
  /** Marks the catalogue ready (called by whatever fills it). */
  markReady(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    catalog: Catalog;
    assetUrls: AssetUrlResolver;
    readiness: Readiness;
  }
}

/** Creates a readiness flag, initially not ready. */
export function createReadiness(): Readiness {
  let ready = false;
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    isReady: () => ready,
    whenReady: () => promise,
    markReady() {
      ready = true;
      resolve();
    },
  };
}

/** Makes the catalogue, the URL resolver and the readiness flag available to every route. */
export default fp(
  async function catalogPlugin(
    app: FastifyInstance,
    options: { catalog: Catalog; assetUrls: AssetUrlResolver; readiness: Readiness },
  ) {
    app.decorate('catalog', options.catalog);
    app.decorate('assetUrls', options.assetUrls);
    app.decorate('readiness', options.readiness);
  },
  { name: 'shazam-catalog' },
);
