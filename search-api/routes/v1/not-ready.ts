import type { FastifyInstance } from 'fastify';
import { SearchApiError } from '../../errors.ts';

/**
 * Answers 503 until the catalogue holds the first full list: an empty answer then would tell the storefront
 * that a published product does not exist. A callback hook, not an async one: it runs on every lookup.
 */
export function refuseUntilReady(app: FastifyInstance): void {
  app.addHook('onRequest', function refuseWhileLoading(_request, _reply, done) {
    if (app.readiness.isReady()) {
      done();
      return;
    }
    done(
      new SearchApiError(
        'SHAZAM_SEARCH_NOT_READY',
        503,
        'the search index is still loading the published assets; retry in a few seconds',
      ),
    );
  });
}
