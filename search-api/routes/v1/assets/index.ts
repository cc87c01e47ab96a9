import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { PublishedAsset } from '../../../catalog/published-asset.ts';
import { SearchApiError } from '../../../errors.ts';
import { assetParamsSchema, errorResponses, notModifiedResponse } from '../../../schemas/index.ts';
import { refuseUntilReady } from '../not-ready.ts';

interface AssetBody {
  asin: string;
  version: number;
  publishedAt: string;
  product: PublishedAsset['product'];
  glbUrl: string;
  webGlbUrl: string;
  posterUrl: string;
  spin: { frameCount: number; frames: string[] };
}

/** `GET /v1/assets/{asin}`: the published asset of an ASIN, with an ETag for conditional requests. */
export default async function assetRoutes(app: FastifyInstance): Promise<void> {
  refuseUntilReady(app);
  // CDN URLs never change for one indexed asset object, so its answer is built once; presigned ones expire.
  const answers = new WeakMap<PublishedAsset, { body: AssetBody; etag: string }>();
  const answer = async (asset: PublishedAsset): Promise<{ body: AssetBody; etag: string }> => {
    const cached = answers.get(asset);
    if (cached) return cached;
    const urls = await app.assetUrls.urls(asset);
    const body: AssetBody = {
      asin: asset.asin,
      version: asset.version,
      publishedAt: asset.publishedAt,
      product: asset.product,
      glbUrl: urls.glbUrl,
      webGlbUrl: urls.webGlbUrl,
      posterUrl: urls.posterUrl,
      spin: { frameCount: asset.frameCount, frames: urls.frames },
    };
    const result = { body, etag: `"${createHash('sha1').update(JSON.stringify(body)).digest('base64url')}"` };
    if (app.assetUrls.publicUrls) answers.set(asset, result);
    return result;
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
      const { asin } = request.params;
      const asset = app.catalog.get(asin);
      if (!asset) {
        throw new SearchApiError(
          'SHAZAM_SEARCH_ASSET_NOT_FOUND',
          404,
          `no published asset for ASIN ${asin}: it is unknown, not yet published, or was withdrawn`,
        );
      }
      const { body, etag } = await answer(asset);
      // Presigned URLs expire, so only the browser may keep them, and briefly.
      reply.header('cache-control', app.assetUrls.publicUrls ? 'public, max-age=60' : 'private, max-age=60');
      reply.header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return body;
    },
  );
}
