import { S3Client } from '@aws-sdk/client-s3';

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

/** Builds an S3 client for `config`. */
export function createS3Client(config: S3ConnectionConfig): S3Client {
  return new S3Client({
    region: config.region ?? 'us-east-1',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? Boolean(config.endpoint),
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
  });
}
