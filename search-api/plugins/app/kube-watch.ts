import type { S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ASSET_SUBMISSION, GROUP, VERSION } from '../../../crds/api.ts';
import { createInformer, objectKey } from '../../../lib/kube/informer.ts';
import type { KubeCredentials } from '../../../lib/kube/kube-credentials.ts';
import type { KubeLogger } from '../../../lib/kube/logger.ts';
import { catalogView } from '../../catalog/cache-view.ts';
import { type AssetSubmissionLike, publishedAssetOf } from '../../catalog/published-asset.ts';
import { startDescriptorLoader } from '../../descriptor-loader.ts';

/** Options of the watch plugin. */
export interface KubeWatchOptions {
  kubeConfig: KubeCredentials;
  /** Namespaces to watch; empty: all. */
  namespaces: string[];
  /** Client for the descriptors in S3. */
  s3: S3Client;
}

/**
 * Keeps the catalogue equal to the published AssetSubmissions: an informer (the operator's own list + watch
 * code, which re-lists after a 410 and retries through apiserver restarts without dropping what it holds)
 * feeds every change to the catalogue, and the descriptor loader follows. Ready once the first list is in.
 */
export default fp(
  async function kubeWatchPlugin(app: FastifyInstance, options: KubeWatchOptions) {
    const log = app.log as unknown as KubeLogger;
    const informer = createInformer<AssetSubmissionLike>({
      kubeConfig: options.kubeConfig,
      group: GROUP,
      version: VERSION,
      plural: ASSET_SUBMISSION.plural,
      namespaces: options.namespaces,
      transform: catalogView,
      log,
    });
    const sync = (object: AssetSubmissionLike): void => {
      const result = publishedAssetOf(object);
      if ('asin' in result) {
        app.catalog.apply(result.source, result);
        return;
      }
      if (result.reason === 'invalid')
        log.warn({ kind: ASSET_SUBMISSION.kind, detail: result.detail }, 'Skipped AssetSubmission');
      app.catalog.apply(objectKey(object), undefined);
    };
    informer.on('add', sync);
    informer.on('update', sync);
    informer.on('delete', (object) => app.catalog.apply(objectKey(object), undefined));
    informer.on('error', (error) =>
      log.warn({ kind: ASSET_SUBMISSION.kind, err: String(error) }, 'Watch failed, retrying'),
    );
    const loader = startDescriptorLoader({ catalog: app.catalog, s3: options.s3, log });
    app.decorate('descriptorsIdle', () => loader.idle());

    app.addHook('onReady', async () => {
      // Not awaited: the server listens (and answers /readyz with 503) while the first list loads.
      void informer.start().then(() => {
        app.catalog.prepare();
        app.log.info({ kind: ASSET_SUBMISSION.kind, assets: app.catalog.size }, 'Indexed published assets');
        app.readiness.markReady();
      });
    });
    app.addHook('onClose', async () => {
      informer.stop();
      loader.stop();
    });
  },
  { name: 'shazam-kube-watch', dependencies: ['shazam-catalog'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves when no photo descriptors are loading (only when the watch plugin is registered). */
    descriptorsIdle?: () => Promise<void>;
  }
}
