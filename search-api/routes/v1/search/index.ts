import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { computeDescriptor } from '../../../../lib/image-descriptor/compute-descriptor.ts';
import type { PublishedAsset } from '../../../catalog/published-asset.ts';
import { decodeCursor, encodeCursor, MAX_CURSOR_OFFSET } from '../../../cursor.ts';
import { decodePhoto } from '../../../decode-photo.ts';
import { SearchApiError } from '../../../errors.ts';
import multipartPlugin from '../../../plugins/external/multipart.ts';
import {
  errorResponses,
  imageSearchQuerySchema,
  imageSearchRequestBody,
  imageSearchResponseSchema,
  searchQuerySchema,
  searchResponseSchema,
} from '../../../schemas/index.ts';
import { refuseUntilReady } from '../not-ready.ts';
import { photoBodyKind, RAW_PHOTO_TYPES } from './photo-content-type.ts';

async function hitOf(app: FastifyInstance, asset: PublishedAsset, score: number, frame?: number) {
  const posterUrl = await app.assetUrls.posterUrl(asset);
  return {
    asin: asset.asin,
    score,
    version: asset.version,
    title: asset.product.title,
    brand: asset.product.brand,
    posterUrl,
    ...(frame === undefined ? {} : { frame }),
  };
}

/** A multipart form that cannot be read (truncated, malformed) is the client's error: 400, never 500. */
function badMultipart(error: unknown): never {
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) throw error;
  throw new SearchApiError(
    'SHAZAM_SEARCH_BAD_MULTIPART',
    400,
    `the multipart/form-data body could not be read (${error instanceof Error ? error.message : String(error)}); send the whole form`,
  );
}

async function multipartPhoto(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  let file: MultipartFile | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        file = part;
        break;
      }
    }
  } catch (error) {
    badMultipart(error);
  }
  if (!file) {
    throw new SearchApiError(
      'SHAZAM_SEARCH_IMAGE_MISSING',
      400,
      'the form holds no file; send the photo as a file field',
    );
  }
  try {
    return await file.toBuffer();
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new SearchApiError(
        'SHAZAM_SEARCH_IMAGE_TOO_LARGE',
        413,
        `the photo is larger than ${maxBytes} bytes; send a smaller JPEG`,
      );
    }
    return badMultipart(error);
  }
}

async function photoBytes(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  if (photoBodyKind(request.headers['content-type']) === 'multipart')
    return multipartPhoto(request, maxBytes);
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new SearchApiError(
      'SHAZAM_SEARCH_IMAGE_MISSING',
      400,
      'no photo in the request; send it as the body (Content-Type image/jpeg, image/png or image/webp) or as a multipart file',
    );
  }
  return body;
}

/** `GET /v1/search` (text) and `POST /v1/search/image` (photo). */
export default async function searchRoutes(
  app: FastifyInstance,
  options: { maxUploadBytes: number; maxImagePixels: number },
) {
  refuseUntilReady(app);

  app.get<{ Querystring: { q: string; limit: number; cursor?: string } }>(
    '/',
    {
      // `/v1/search`, not `/v1/search/` (nor both, which the OpenAPI document cannot tell apart).
      prefixTrailingSlash: 'no-slash',
      schema: {
        operationId: 'searchText',
        tags: ['search'],
        summary: 'Text search over title, brand, tags and ASIN prefixes (typo-tolerant, ranked, paginated)',
        querystring: searchQuerySchema,
        response: { 200: searchResponseSchema, ...errorResponses(400, 429, 503) },
      },
    },
    async (request) => {
      const { q, limit, cursor } = request.query;
      const offset = cursor === undefined ? 0 : decodeCursor(q, cursor);
      const result = app.catalog.searchText(q, { limit, offset });
      app.metrics.countSearch('text', result.hits.length > 0);
      const next = offset + limit;
      return {
        query: q,
        hits: await Promise.all(result.hits.map(({ hit, asset }) => hitOf(app, asset, hit.score))),
        ...(result.hasMore && next <= MAX_CURSOR_OFFSET ? { nextCursor: encodeCursor(q, next) } : {}),
      };
    },
  );

  // The photo route in a scope of its own: the multipart parser's hooks (one on every request and
  // response) run for uploads only, not for every lookup and text search.
  await app.register(async (photo) => {
    await photo.register(multipartPlugin, { maxBytes: options.maxUploadBytes });
    photo.addContentTypeParser(
      [...RAW_PHOTO_TYPES],
      { parseAs: 'buffer', bodyLimit: options.maxUploadBytes },
      (_request, body, done) => done(null, body),
    );

    photo.post<{ Querystring: { limit: number } }>(
      '/image',
      {
        bodyLimit: options.maxUploadBytes,
        // The Content-Type rule is applied before the body is read, so a refused upload is not read at all.
        onRequest: (request, _reply, done) => {
          try {
            photoBodyKind(request.headers['content-type']);
            done();
          } catch (error) {
            done(error as Error);
          }
        },
        schema: {
          operationId: 'searchImage',
          tags: ['search'],
          summary: 'Photo search: the products whose turntable frames look most like the photo',
          description:
            'Send a JPEG, PNG or WebP photo as the request body (Content-Type image/jpeg or image/jpg, image/png, ' +
            'image/webp or application/octet-stream) or as the first file of a multipart/form-data form. Any other ' +
            'Content-Type is 415 before the body is read; the bytes, not the Content-Type, decide the format.',
          querystring: imageSearchQuerySchema,
          'x-request-body': imageSearchRequestBody,
          response: {
            200: imageSearchResponseSchema,
            ...errorResponses(400, 413, 415, 422, 429, 503),
          },
        },
      },
      async (request) => {
        const bytes = await photoBytes(request, options.maxUploadBytes);
        const photo = await decodePhoto(bytes, options.maxImagePixels);
        const descriptor = computeDescriptor(photo.rgba, photo.width, photo.height);
        const hits = await app.catalog.searchImage(descriptor, request.query.limit);
        app.metrics.countSearch('image', hits.length > 0);
        return {
          hits: await Promise.all(hits.map(({ hit, asset }) => hitOf(app, asset, hit.score, hit.frame))),
        };
      },
    );
  });
}
