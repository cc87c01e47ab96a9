/**
 * `buildApp`: the search API as a fastify instance, without listening (tests drive it with `inject()`;
 * server.ts listens). External plugins first (CORS, rate limit, multipart, OpenAPI), then the app's own
 * (catalogue, metrics, Kubernetes watch), then the routes, one folder per URL prefix.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { KubeConfig } from '@kubernetes/client-node';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { createAssetUrls } from './asset-urls.ts';
import { Catalog } from './catalog/catalog.ts';
import type { SearchApiConfig } from './config.ts';
import { type ErrorBody, SearchApiError } from './errors.ts';
import catalogPlugin, { createReadiness } from './plugins/app/catalog.ts';
import kubeWatchPlugin from './plugins/app/kube-watch.ts';
import metricsPlugin from './plugins/app/metrics.ts';
import corsPlugin from './plugins/external/cors.ts';
import multipartPlugin from './plugins/external/multipart.ts';
import rateLimitPlugin from './plugins/external/rate-limit.ts';
import swaggerPlugin from './plugins/external/swagger.ts';
import operationsRoutes from './routes/health/index.ts';
import assetRoutes from './routes/v1/assets/index.ts';
import searchRoutes from './routes/v1/search/index.ts';
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
  >;
  /** S3 client for descriptors and presigned URLs. */
  s3: S3Client;
  /** Watch these AssetSubmissions; without it the catalogue is filled by the caller and ready at once. */
  kube?: { kubeConfig: KubeConfig; namespaces: string[] };
  /** The catalogue to serve; a fresh one by default (the bench fills its own). */
  catalog?: Catalog;
  /** fastify's logger option (pino settings, or false). Default false. */
  logger?: FastifyServerOptions['logger'];
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Maps any error to the API's error body, keeping fastify's and plugins' 4xx statuses. */
function errorBody(error: FastifyError | SearchApiError): ErrorBody {
  if (error instanceof SearchApiError) {
    return {
      statusCode: error.statusCode,
      code: error.code,
      error: STATUS_TEXT[error.statusCode] ?? 'Error',
      message: error.message,
    };
  }
  const statusCode =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (statusCode >= 500) {
    return {
      statusCode,
      code: 'SHAZAM_SEARCH_INTERNAL',
      error: STATUS_TEXT[500]!,
      message: 'internal error; it was logged',
    };
  }
  if (error.validation) {
    return {
      statusCode: 400,
      code: 'SHAZAM_SEARCH_BAD_REQUEST',
      error: STATUS_TEXT[400]!,
      message: `${error.validationContext ?? 'request'} ${error.validation.map((v) => `${v.instancePath.replace(/^\//, '') || ''} ${v.message ?? ''}`.trim()).join('; ')}`,
    };
  }
  const fixes: Record<string, string> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'the request body is larger than allowed; send a smaller photo',
    FST_REQ_FILE_TOO_LARGE: 'the uploaded file is larger than allowed; send a smaller photo',
    FST_ERR_CTP_INVALID_MEDIA_TYPE:
      'unsupported Content-Type; send image/jpeg, image/png, image/webp or multipart/form-data',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'the body is empty',
  };
  return {
    statusCode,
    code: error.code ?? 'SHAZAM_SEARCH_BAD_REQUEST',
    error: STATUS_TEXT[statusCode] ?? 'Error',
    message: fixes[error.code] ?? error.message,
  };
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
  const app = Fastify({
    logger: options.logger ?? false,
    // A slow photo upload must not hold a connection forever.
    requestTimeout: 30_000,
    ajv: {
      customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: false },
    },
  });
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
  await app.register(multipartPlugin, { maxBytes: config.maxUploadBytes });
  await app.register(swaggerPlugin);

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
  await app.register(metricsPlugin);
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
