/**
 * JSON schemas of the search API's requests and responses, shared by the routes (validation, fast
 * serialisation, the OpenAPI document) and the tests.
 */

/** The body of every 4xx and 5xx answer. */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', description: 'The HTTP status.' },
    code: { type: 'string', description: 'Stable error code, e.g. SHAZAM_SEARCH_ASSET_NOT_FOUND.' },
    error: { type: 'string', description: 'The HTTP status text.' },
    message: { type: 'string', description: 'What went wrong and how to fix the request.' },
  },
} as const;

/** The searchable product fields. */
export const productSchema = {
  $id: 'Product',
  type: 'object',
  required: ['title', 'brand', 'tags'],
  properties: {
    title: { type: 'string' },
    brand: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    description: { type: 'string' },
  },
} as const;

/** A published asset, as `GET /v1/assets/{asin}` returns it. */
export const assetSchema = {
  $id: 'Asset',
  type: 'object',
  required: ['asin', 'version', 'publishedAt', 'product', 'glbUrl', 'webGlbUrl', 'posterUrl', 'spin'],
  properties: {
    asin: { type: 'string', description: 'The product ASIN.' },
    version: { type: 'integer', description: 'The published revision.' },
    publishedAt: { type: 'string', description: 'When the revision was published (RFC 3339).' },
    product: { $ref: 'Product#' },
    glbUrl: { type: 'string', description: 'The delivered GLB.' },
    webGlbUrl: { type: 'string', description: 'The storefront-optimised GLB (for <model-viewer>).' },
    usdzUrl: {
      type: 'string',
      description:
        "The USDZ for AR Quick Look on iOS (model-viewer's ios-src); absent when the version has none.",
    },
    posterUrl: { type: 'string', description: 'The poster image (WebP).' },
    spin: {
      type: 'object',
      required: ['frameCount', 'frames'],
      properties: {
        frameCount: { type: 'integer', description: 'Number of turntable frames.' },
        frames: {
          type: 'array',
          items: { type: 'string' },
          description: 'Frame URLs, frame 0 facing the camera.',
        },
      },
    },
  },
} as const;

/** One search hit. */
export const hitSchema = {
  $id: 'Hit',
  type: 'object',
  required: ['asin', 'score', 'version', 'title', 'brand', 'posterUrl'],
  properties: {
    asin: { type: 'string' },
    score: { type: 'number', description: 'Relevance; comparable within one response only.' },
    version: { type: 'integer' },
    title: { type: 'string' },
    brand: { type: 'string' },
    posterUrl: { type: 'string' },
    frame: { type: 'integer', description: 'Photo search: the turntable frame that matched best.' },
  },
} as const;

/** Path parameters of `GET /v1/assets/{asin}`. */
export const assetParamsSchema = {
  type: 'object',
  required: ['asin'],
  properties: {
    asin: { type: 'string', pattern: '^[A-Z0-9]{10}$', description: 'Ten characters, A–Z and 0–9.' },
  },
} as const;

/** Query string of `GET /v1/search`. */
export const searchQuerySchema = {
  type: 'object',
  required: ['q'],
  additionalProperties: false,
  properties: {
    q: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Words of the title, brand or tags, or an ASIN prefix.',
    },
    limit: { type: 'integer', minimum: 1, maximum: 50, default: 20, description: 'Hits per page.' },
    cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page.' },
  },
} as const;

/** Response of `GET /v1/search`. */
export const searchResponseSchema = {
  type: 'object',
  required: ['query', 'hits'],
  properties: {
    query: { type: 'string' },
    hits: { type: 'array', items: { $ref: 'Hit#' } },
    nextCursor: { type: 'string', description: 'Pass as cursor for the next page; absent on the last page.' },
  },
} as const;

/** Query string of `POST /v1/search/image`. */
export const imageSearchQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 50, default: 10, description: 'Products to return.' },
  },
} as const;

/** Response of `POST /v1/search/image`. */
export const imageSearchResponseSchema = {
  type: 'object',
  required: ['hits'],
  properties: {
    hits: { type: 'array', items: { $ref: 'Hit#' } },
  },
} as const;

/**
 * The request body of `POST /v1/search/image`, for the OpenAPI document only (fastify reads the body with its
 * own content-type parsers; see routes/v1/search/photo-content-type.ts for the rule).
 */
export const imageSearchRequestBody = {
  description:
    'The photo: a JPEG, PNG or WebP file as the body, or the first file of a multipart/form-data form.',
  content: {
    'image/jpeg': { schema: { type: 'string', format: 'binary' } },
    'image/jpg': { schema: { type: 'string', format: 'binary' } },
    'image/png': { schema: { type: 'string', format: 'binary' } },
    'image/webp': { schema: { type: 'string', format: 'binary' } },
    'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file'],
        properties: { file: { type: 'string', format: 'binary', description: 'The photo.' } },
      },
    },
  },
} as const;

/** `GET /readyz`. */
export const readinessSchema = {
  type: 'object',
  required: ['status', 'assets'],
  properties: {
    status: { type: 'string', enum: ['ready', 'loading'] },
    assets: { type: 'integer', description: 'Published assets indexed so far.' },
  },
} as const;

/** Every shared schema, registered once with `app.addSchema`. */
export const sharedSchemas = [errorSchema, productSchema, assetSchema, hitSchema] as const;

/**
 * Errors any route may answer, whatever its parameters: 408 (the request did not arrive within the request
 * timeout), 431 (request line and headers above Node's limit) and 500.
 */
export const TRANSPORT_ERRORS = [408, 431, 500] as const;

/** Error responses a route may give, for its `response` schema; {@link TRANSPORT_ERRORS} are always added. */
export function errorResponses(...codes: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(
    [...new Set([...codes, ...TRANSPORT_ERRORS])].sort().map((code) => [code, { $ref: 'Error#' }]),
  );
}

/** A 304 answer to a conditional request: no body. */
export const notModifiedResponse = {
  type: 'null',
  description: 'Not Modified: the ETag matches If-None-Match.',
} as const;
