/**
 * The search API's configuration: the only module that reads flags and the environment. Every value is
 * validated here, so the rest of the service receives typed, sane settings.
 */
import { parseArgs } from 'node:util';
import { type S3ConnectionConfig, s3ConnectionFromEnv } from '../lib/storage/s3-client.ts';
import { SearchApiError } from './errors.ts';

/** Settings of the search API. */
export interface SearchApiConfig {
  /** Address and port to listen on. */
  host: string;
  port: number;
  /** Port of the operations listener (`/metrics`, `/docs`), kept off the public port; 0 picks a free one. */
  metricsPort: number;
  /** Kubeconfig file; unset: `$KUBECONFIG`, `~/.kube/config`, then the pod's service account. */
  kubeconfig: string | undefined;
  /** Namespaces whose AssetSubmissions are served; empty: all namespaces. */
  namespaces: string[];
  /** Public base URL of the assets bucket behind a CDN (no trailing slash); unset: presigned S3 URLs. */
  cdnBaseUrl: string | undefined;
  /** Lifetime of presigned URLs, in seconds. */
  presignTtlSeconds: number;
  /** Origins allowed by CORS (the storefront's); empty: no cross-origin access. */
  corsOrigins: string[];
  /** Requests per minute and client address; 0 turns rate limiting off. */
  rateLimitPerMinute: number;
  /** Largest photo accepted by photo search, in bytes. */
  maxUploadBytes: number;
  /** Largest photo accepted, in pixels (width × height), against decompression bombs. */
  maxImagePixels: number;
  /** How long a closing server waits for requests in flight, in milliseconds. */
  shutdownGraceMs: number;
  /** Longest time a request may take to arrive in full (headers and body), in milliseconds; then 408. */
  requestTimeoutMs: number;
  /** pino log level. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How to reach S3 (descriptors, presigning). */
  s3: S3ConnectionConfig;
}

/** Defaults of every optional setting. */
export const SEARCH_API_DEFAULTS = {
  host: '0.0.0.0',
  port: 8080,
  metricsPort: 9090,
  presignTtlSeconds: 3600,
  rateLimitPerMinute: 1200,
  maxUploadBytes: 10 * 1024 * 1024,
  maxImagePixels: 40_000_000,
  shutdownGraceMs: 10_000,
  requestTimeoutMs: 30_000,
  logLevel: 'info',
} as const satisfies Partial<SearchApiConfig>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Flags of `shazam search-api`, each also settable by the environment variable beside it. */
export const SEARCH_API_FLAGS = {
  host: { env: 'SHAZAM_SEARCH_HOST', help: 'address to listen on (default 0.0.0.0)' },
  port: { env: 'SHAZAM_SEARCH_PORT', help: 'port to listen on (default 8080)' },
  'metrics-port': {
    env: 'SHAZAM_SEARCH_METRICS_PORT',
    help: 'port of /metrics and /docs, apart from the public port (default 9090)',
  },
  kubeconfig: {
    env: 'SHAZAM_KUBECONFIG',
    help: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)',
  },
  namespaces: { env: 'SHAZAM_SEARCH_NAMESPACES', help: 'comma-separated namespaces to serve (default: all)' },
  'cdn-base-url': { env: 'SHAZAM_CDN_BASE_URL', help: 'https base URL of the assets bucket on the CDN' },
  'presign-ttl': {
    env: 'SHAZAM_PRESIGN_TTL_SECONDS',
    help: 'lifetime of presigned URLs in seconds (default 3600)',
  },
  'cors-origins': { env: 'SHAZAM_CORS_ORIGINS', help: 'comma-separated storefront origins allowed by CORS' },
  'rate-limit': {
    env: 'SHAZAM_RATE_LIMIT_PER_MINUTE',
    help: 'requests per minute per client, 0 = off (default 1200)',
  },
  'max-upload-bytes': { env: 'SHAZAM_MAX_UPLOAD_BYTES', help: 'largest photo in bytes (default 10485760)' },
  'max-image-pixels': { env: 'SHAZAM_MAX_IMAGE_PIXELS', help: 'largest photo in pixels (default 40000000)' },
  'shutdown-grace-ms': { env: 'SHAZAM_SHUTDOWN_GRACE_MS', help: 'drain time on SIGTERM (default 10000)' },
  'request-timeout-ms': {
    env: 'SHAZAM_SEARCH_REQUEST_TIMEOUT_MS',
    help: 'time a request may take to arrive in full, then 408 (default 30000)',
  },
  'log-level': {
    env: 'SHAZAM_LOG_LEVEL',
    help: 'fatal, error, warn, info, debug, trace or silent (default info)',
  },
} as const;

type Flag = keyof typeof SEARCH_API_FLAGS;

function invalid(message: string): SearchApiError {
  return new SearchApiError('SHAZAM_SEARCH_CONFIG_INVALID', 500, message);
}

function integer(name: Flag, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(
      `--${name} (${SEARCH_API_FLAGS[name].env}) is "${raw}"; expected a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/**
 * Reads the configuration from command-line flags (which win) and the environment. Throws a
 * {@link SearchApiError} `SHAZAM_SEARCH_CONFIG_INVALID` naming the flag, its variable and the expected form.
 *
 * @example
 * ```ts
 * loadSearchApiConfig(['--port', '9000'], process.env).port // 9000
 * ```
 */
export function loadSearchApiConfig(argv: string[], env: NodeJS.ProcessEnv): SearchApiConfig {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.keys(SEARCH_API_FLAGS).map((name) => [name, { type: 'string' }]),
      ) as Record<Flag, { type: 'string' }>,
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error));
  }
  const value = (name: Flag): string | undefined => {
    const flag = parsed.values[name];
    return typeof flag === 'string' ? flag : env[SEARCH_API_FLAGS[name].env];
  };

  const cdn = value('cdn-base-url');
  let cdnBaseUrl: string | undefined;
  if (cdn) {
    let url: URL;
    try {
      url = new URL(cdn);
    } catch {
      throw invalid(
        `--cdn-base-url is "${cdn}"; expected an absolute http(s) URL such as https://cdn.example.com`,
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw invalid(`--cdn-base-url is "${cdn}"; expected an http or https URL`);
    }
    cdnBaseUrl = cdn.replace(/\/+$/, '');
  }
  const origins = list(value('cors-origins'));
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw invalid(
        `--cors-origins holds "${origin}"; expected origins like https://shop.example.com (no path)`,
      );
    }
  }
  const logLevel = value('log-level') ?? SEARCH_API_DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw invalid(`--log-level is "${logLevel}"; expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const namespaces = list(value('namespaces'));
  for (const namespace of namespaces) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
      throw invalid(`--namespaces holds "${namespace}", which is not a namespace name`);
    }
  }
  return {
    host: value('host') || SEARCH_API_DEFAULTS.host,
    port: integer('port', value('port'), SEARCH_API_DEFAULTS.port, 0, 65535),
    metricsPort: integer('metrics-port', value('metrics-port'), SEARCH_API_DEFAULTS.metricsPort, 0, 65535),
    kubeconfig: value('kubeconfig') || undefined,
    namespaces,
    cdnBaseUrl,
    presignTtlSeconds: integer(
      'presign-ttl',
      value('presign-ttl'),
      SEARCH_API_DEFAULTS.presignTtlSeconds,
      60,
      604800,
    ),
    corsOrigins: origins,
    rateLimitPerMinute: integer(
      'rate-limit',
      value('rate-limit'),
      SEARCH_API_DEFAULTS.rateLimitPerMinute,
      0,
      10_000_000,
    ),
    maxUploadBytes: integer(
      'max-upload-bytes',
      value('max-upload-bytes'),
      SEARCH_API_DEFAULTS.maxUploadBytes,
      1024,
      100 * 1024 * 1024,
    ),
    maxImagePixels: integer(
      'max-image-pixels',
      value('max-image-pixels'),
      SEARCH_API_DEFAULTS.maxImagePixels,
      1024,
      1_000_000_000,
    ),
    shutdownGraceMs: integer(
      'shutdown-grace-ms',
      value('shutdown-grace-ms'),
      SEARCH_API_DEFAULTS.shutdownGraceMs,
      0,
      600_000,
    ),
    requestTimeoutMs: integer(
      'request-timeout-ms',
      value('request-timeout-ms'),
      SEARCH_API_DEFAULTS.requestTimeoutMs,
      100,
      600_000,
    ),
    logLevel: logLevel as SearchApiConfig['logLevel'],
    s3: s3ConnectionFromEnv(env),
  };
}
