import { S3Client } from '@aws-sdk/client-s3';
import { classifyS3Error, STORAGE_ERROR_CODES, type StorageOutcome } from './storage-error.ts';

/** How a program reaches S3. Every field is optional: the AWS SDK's own defaults apply to what is unset. */
export interface S3ConnectionConfig {
  /** Endpoint of an S3-compatible server, e.g. `http://127.0.0.1:9000`. Unset means AWS S3 itself. */
  endpoint?: string;
  /** AWS region; `us-east-1` when unset. */
  region?: string;
  /** Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible servers. */
  forcePathStyle?: boolean;
  /** Static credentials; unset means the SDK's default chain (IRSA web identity on EKS). */
  accessKeyId?: string;
  secretAccessKey?: string;
}

/**
 * Reads the S3 connection from the environment of a Job or CLI process: `AWS_ENDPOINT_URL_S3` (or
 * `AWS_ENDPOINT_URL`), `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
 * `SHAZAM_S3_FORCE_PATH_STYLE` (`true`/`false`).
 */
export function s3ConnectionFromEnv(env: NodeJS.ProcessEnv): S3ConnectionConfig {
  const config: S3ConnectionConfig = {};
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint) config.endpoint = endpoint;
  if (env.AWS_REGION) config.region = env.AWS_REGION;
  if (env.SHAZAM_S3_FORCE_PATH_STYLE !== undefined) {
    config.forcePathStyle = env.SHAZAM_S3_FORCE_PATH_STYLE === 'true';
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    config.accessKeyId = env.AWS_ACCESS_KEY_ID;
    config.secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  }
  return config;
}

/** The environment variables that hand `config` to a child process (a Job's container, a local job). */
export function s3ConnectionToEnv(config: S3ConnectionConfig): Record<string, string> {
  const env: Record<string, string> = {};
  if (config.endpoint) env.AWS_ENDPOINT_URL_S3 = config.endpoint;
  if (config.region) env.AWS_REGION = config.region;
  if (config.forcePathStyle !== undefined) env.SHAZAM_S3_FORCE_PATH_STYLE = String(config.forcePathStyle);
  if (config.accessKeyId) env.AWS_ACCESS_KEY_ID = config.accessKeyId;
  if (config.secretAccessKey) env.AWS_SECRET_ACCESS_KEY = config.secretAccessKey;
  return env;
}

/** Receives one observation per S3 call (lib/metrics/s3-request-metrics.ts turns them into Prometheus series). */
export interface S3RequestObserver {
  /** `operation` is the API name (`GetObject`, `PutObject`, …); `seconds` include the SDK's retries. */
  observe(operation: string, outcome: StorageOutcome, seconds: number): void;
}

/** Options of {@link createS3Client}. */
export interface S3ClientOptions {
  /** Counts every request the client sends, by operation and outcome. */
  metrics?: S3RequestObserver;
}

/**
 * Builds the S3 client for `config`: the one factory every program uses, so that with `options.metrics`
 * every S3 caller of the process is counted.
 *
 * @example
 * ```ts
 * const s3 = createS3Client(s3ConnectionFromEnv(process.env), { metrics: createS3RequestMetrics(registry) });
 * ```
 */
export function createS3Client(config: S3ConnectionConfig, options: S3ClientOptions = {}): S3Client {
  const client = new S3Client({
    region: config.region ?? 'us-east-1',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? Boolean(config.endpoint),
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
  });
  if (options.metrics) instrumentS3Client(client, options.metrics);
  return client;
}

const METRICS_MIDDLEWARE = 'shazamS3RequestMetrics';

/**
 * Installs the request-counting middleware on a client built elsewhere (a test's or the demo's). One
 * observation per `send`, after the SDK's retries, with the outcome classified as {@link classifyS3Error}
 * does; presigning a URL sends nothing and is not counted.
 *
 * Caveat: a client has one such middleware; instrumenting it again replaces the earlier observer.
 */
export function instrumentS3Client(client: S3Client, observer: S3RequestObserver): S3Client {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const started = performance.now();
      try {
        const result = await next(args);
        if ((result.output as { presigned?: unknown } | undefined)?.presigned === undefined) {
          observer.observe(operation, 'success', (performance.now() - started) / 1000);
        }
        return result;
      } catch (error) {
        observer.observe(
          operation,
          STORAGE_ERROR_CODES[classifyS3Error(error)],
          (performance.now() - started) / 1000,
        );
        throw error;
      }
    },
    { step: 'initialize', name: METRICS_MIDDLEWARE, override: true },
  );
  return client;
}
