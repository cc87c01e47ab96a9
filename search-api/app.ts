/**
 * `buildApp`: the search API as a fastify instance, without listening (tests drive it with `inject()`;
 * server.ts listens). External plugins first (CORS, rate limit, multipart, OpenAPI), then the app's own
 * (catalogue, metrics, Kubernetes watch), then the routes, one folder per URL prefix.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import type { KubeCredentials } from '../lib/kube/kube-credentials.ts';
import { createAssetUrls } from './asset-urls.ts';
import { Catalog } from './catalog/catalog.ts';
import { SEARCH_API_DEFAULTS, type SearchApiConfig } from './config.ts';
import { type ErrorBody, SearchApiError } from './errors.ts';
import catalogPlugin, { createReadiness } from './plugins/app/catalog.ts';
import kubeWatchPlugin from './plugins/app/kube-watch.ts';
import metricsPlugin from './plugins/app/metrics.ts';
import strictQueryPlugin from './plugins/app/strict-query.ts';
import corsPlugin from './plugins/external/cors.ts';
import rateLimitPlugin from './plugins/external/rate-limit.ts';
import swaggerPlugin from './plugins/external/swagger.ts';
import operationsRoutes from './routes/health/index.ts';
import assetRoutes from './routes/v1/assets/index.ts';
import searchRoutes from './routes/v1/search/index.ts';
import { PHOTO_CONTENT_TYPES_TEXT } from './routes/v1/search/photo-content-type.ts';
import { sharedSchemas } from './schemas/index.ts';

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  config: Pick<
    SearchApiConfig,
    | 'cdnBaseUrl'
    | 'presignTtlSeconds'
    | 'corsOrigins'
    | 'rateLimitPerMinute'
    | 'maxUploadBytes'
    | 'maxImagePixels'
  > &
    Partial<Pick<SearchApiConfig, 'requestTimeoutMs'>>;
  /** S3 client for descriptors and presigned URLs. */
  s3: S3Client;
  /** Watch these AssetSubmissions; without it the catalogue is filled by the caller and ready at once. */
  kube?: { kubeConfig: KubeCredentials; namespaces: string[] };
  /** The catalogue to serve; a fresh one by default (the bench fills its own). */
  catalog?: Catalog;
  /** fastify's logger option (pino settings, or false). Default false. */
  logger?: FastifyServerOptions['logger'];
}

/** The HTTP status text of a status code, as the `error` field of every error body. */
function statusText(statusCode: number): string {
  return STATUS_CODES[statusCode] ?? 'Error';
}

/** Maps any error to the API's error body, keeping fastify's and plugins' 4xx statuses. */
export function errorBody(error: FastifyError | SearchApiError): ErrorBody {
  if (error instanceof SearchApiError) {
    return {
      statusCode: error.statusCode,
      code: error.code,
      error: statusText(error.statusCode),
      message: error.message,
    };
  }
  const statusCode =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (statusCode >= 500) {
    return {
      statusCode,
      code: 'SHAZAM_SEARCH_INTERNAL',
      error: statusText(statusCode),
      message: 'internal error; it was logged',
    };
  }
  if (error.validation) {
    return {
      statusCode: 400,
      code: 'SHAZAM_SEARCH_BAD_REQUEST',
      error: statusText(400),
      message: `${error.validationContext ?? 'request'} ${error.validation.map((v) => `${v.instancePath.replace(/^\//, '') || ''} ${v.message ?? ''}`.trim()).join('; ')}`,
    };
  }
  const fixes: Record<string, string> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'the request body is larger than allowed; send a smaller photo',
    FST_REQ_FILE_TOO_LARGE: 'the uploaded file is larger than allowed; send a smaller photo',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: `unsupported Content-Type; send ${PHOTO_CONTENT_TYPES_TEXT}`,
    FST_ERR_CTP_EMPTY_JSON_BODY: 'the body is empty',
    FST_ERR_MAX_PARAM_LENGTH: 'a path segment is longer than allowed; check the URL',
    FST_ERR_BAD_URL: 'the URL is malformed (bad percent-encoding); check the URL',
  };
  return {
    statusCode,
    code: error.code ?? 'SHAZAM_SEARCH_BAD_REQUEST',
    error: statusText(statusCode),
    message: fixes[error.code] ?? error.message,
  };
}

/**
 * Errors Node's HTTP parser reports before fastify sees a request (a request that took longer than the
 * request timeout, headers or URL larger than Node's header limit, malformed HTTP), answered in the API's
 * error format on the raw socket, which is then closed.
 */
function clientErrorAnswer(error: Error & { code?: string }): ErrorBody {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        statusCode: 408,
        code: 'SHAZAM_SEARCH_REQUEST_TIMEOUT',
        error: statusText(408),
        message: 'the request was not received within the request timeout; upload a smaller photo or retry',
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        statusCode: 431,
        code: 'SHAZAM_SEARCH_HEADERS_TOO_LARGE',
        error: statusText(431),
        message: 'the request line and headers are larger than allowed; shorten the URL or the headers',
      };
    default:
      return {
        statusCode: 400,
        code: 'SHAZAM_SEARCH_BAD_HTTP',
        error: statusText(400),
        message: 'the request is not well-formed HTTP/1.1',
      };
  }
}

function onClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = clientErrorAnswer(error);
  const { statusCode } = answer;
  const body = JSON.stringify(answer);
  this.log.debug({ err: error }, 'Refused a malformed request');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${statusText(statusCode)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Builds the search API.
 *
 * @example
 * ```ts
 * const app = await buildApp({ config, s3, kube: { kubeConfig, namespaces: [] } });
 * const response = await app.inject({ url: '/v1/assets/B0CHAIR001' });
 * ```
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const requestTimeoutMs = options.config.requestTimeoutMs ?? SEARCH_API_DEFAULTS.requestTimeoutMs;
  const app = Fastify({
    logger: options.logger ?? false,
    // A slow photo upload must not hold a connection forever. Node checks running requests against the
    // timeout every `connectionsCheckingInterval` (30 s by default, so a 30 s timeout fired after up to
    // 60 s): check often enough that the 408 comes within a tenth of the timeout (at most 1 s late).
    requestTimeout: requestTimeoutMs,
    http: { connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestTimeoutMs / 10))) },
    clientErrorHandler: onClientError,
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const body = errorBody(error);
      reply.code(body.statusCode).send(body);
    },
    ajv: {
      customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: false },
    },
  });
  // Node measures the request timeout only when the headers timeout (60 s by default) is not longer.
  app.server.headersTimeout = Math.min(app.server.headersTimeout, requestTimeoutMs);
  const { config } = options;
  for (const schema of sharedSchemas) app.addSchema(schema);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = errorBody(error);
    if (body.statusCode >= 500) request.log.error({ err: error }, 'Request failed');
    reply.code(body.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      statusCode: 404,
      code: 'SHAZAM_SEARCH_ROUTE_NOT_FOUND',
      error: 'Not Found',
      message: `no route ${request.method} ${request.url.split('?')[0]}; see /docs for the API`,
    } satisfies ErrorBody);
  });

  await app.register(corsPlugin, { origins: config.corsOrigins });
  await app.register(rateLimitPlugin, { perMinute: config.rateLimitPerMinute });
  await app.register(swaggerPlugin);
  await app.register(strictQueryPlugin);

  const readiness = createReadiness();
  await app.register(catalogPlugin, {
    catalog: options.catalog ?? new Catalog(DESCRIPTOR_DIMS),
    assetUrls: createAssetUrls({
      cdnBaseUrl: config.cdnBaseUrl,
      s3: options.s3,
      ttlSeconds: config.presignTtlSeconds,
    }),
    readiness,
  });
  await app.register(metricsPlugin, { s3: options.s3 });
  if (options.kube) {
    await app.register(kubeWatchPlugin, { ...options.kube, s3: options.s3 });
  } else {
    readiness.markReady();
  }

  await app.register(operationsRoutes);
  await app.register(assetRoutes, { prefix: '/v1/assets' });
  await app.register(searchRoutes, {
    prefix: '/v1/search',
    maxUploadBytes: config.maxUploadBytes,
    maxImagePixels: config.maxImagePixels,
  });
  return app;
}
