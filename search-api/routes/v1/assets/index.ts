import type { FastifyInstance } from 'fastify';
import { SearchApiError } from '../../../errors.ts';
import { assetParamsSchema, errorResponses, notModifiedResponse } from '../../../schemas/index.ts';
import { refuseUntilReady } from '../not-ready.ts';
import { AnswerCache, type AssetAnswer, assetAnswer, cdnAssetAnswer } from './asset-answer.ts';

/** Answers kept serialised (about 35 MB at 36 frames); the rest are built on demand in microseconds. */
const ANSWER_CACHE_SIZE = 10_000;

/**
 * `GET /v1/assets/{asin}`: the published asset of an ASIN, with an ETag for conditional requests.
 *
 * Per request only what a lookup needs: the map read, the cached JSON (built once per asset object; a
 * changed asset is a new object, and its old answer is dropped on the catalogue's change event), the
 * If-None-Match comparison and the socket write. The JSON bypasses fastify's serialiser.
 */
export default async function assetRoutes(app: FastifyInstance): Promise<void> {
  refuseUntilReady(app);
  // Presigned URLs expire, so only the browser may keep them, and briefly; CDN URLs are the same for all.
  const cacheControl = app.assetUrls.publicUrls ? 'public, max-age=60' : 'private, max-age=60';
  // CDN URLs never change for one asset object; presigned ones are re-signed, so are not kept here (the
  // URL resolver keeps signatures for half their lifetime).
  const answers = app.assetUrls.publicUrls ? new AnswerCache(ANSWER_CACHE_SIZE) : undefined;
  if (answers) {
    const stop = app.catalog.onChange(({ previous }) => {
      if (previous) answers.delete(previous);
    });
    app.addHook('onClose', async () => {
      stop();
    });
  }
  const answer = async (asin: string): Promise<AssetAnswer> => {
    const asset = app.catalog.get(asin);
    if (!asset) {
      throw new SearchApiError(
        'SHAZAM_SEARCH_ASSET_NOT_FOUND',
        404,
        `no published asset for ASIN ${asin}: it is unknown, not yet published, or was withdrawn`,
      );
    }
    const cached = answers?.get(asset);
    if (cached) return cached;
    const { cdnBaseUrl } = app.assetUrls;
    const built = cdnBaseUrl
      ? cdnAssetAnswer(asset, cdnBaseUrl)
      : assetAnswer(asset, await app.assetUrls.urls(asset));
    answers?.set(asset, built);
    return built;
  };
  app.get<{ Params: { asin: string } }>(
    '/:asin',
    {
      schema: {
        operationId: 'getAsset',
        tags: ['assets'],
        summary: 'The published asset of an ASIN',
        params: assetParamsSchema,
        response: {
          200: { $ref: 'Asset#' },
          304: notModifiedResponse,
          // 414: an asin longer than the router's limit on a path segment.
          ...errorResponses(400, 404, 414, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { body, etag } = await answer(request.params.asin);
      reply.headers({ 'cache-control': cacheControl, etag });
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      // A string with a JSON content type: fastify sends it as it is, without its serialiser. Answers stay
      // strings (in the V8 heap), not Buffers: a Buffer's external memory, churned through the cache, drove
      // full collections of the whole catalogue's heap (answer-memory.test.ts).
      return reply.header('content-type', 'application/json; charset=utf-8').send(body);
    },
  );
}
