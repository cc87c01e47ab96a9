/**
 * The one way SHAZAM tells S3 failures apart. Every S3 caller goes through `object-store.ts`, which turns an
 * AWS SDK error into a {@link StorageError} with a stable code; the same classification labels the
 * `shazam_s3_requests_total` metric.
 */

/**
 * Why an S3 request failed, as a stable code used in logs, exit statuses, condition reasons and (through
 * {@link STORAGE_OUTCOMES}) metric labels.
 */
export const STORAGE_ERROR_CODES = {
  /** The key does not exist (404 `NoSuchKey`, or a HEAD's bare 404). */
  STORAGE_NOT_FOUND: 'not_found',
  /** The bucket does not exist (404 `NoSuchBucket`): a configuration error, not a missing object. */
  STORAGE_NO_SUCH_BUCKET: 'no_such_bucket',
  /** S3 refused the request (403: a bucket policy, IAM, a bad or expired key). */
  STORAGE_ACCESS_DENIED: 'access_denied',
  /** No credentials could be found for the request (the SDK never sent it). */
  STORAGE_NO_CREDENTIALS: 'no_credentials',
  /** A conditional write lost (412, or 409 `ConditionalRequestConflict`). */
  STORAGE_PRECONDITION_FAILED: 'precondition_failed',
  /** S3 could not be reached or answered with a server error (connection refused, DNS, timeout, 5xx). */
  STORAGE_UNAVAILABLE: 'unavailable',
  /** An object that should hold JSON does not. */
  STORAGE_INVALID_JSON: 'invalid_json',
  /** Anything else (a 400, an unexpected answer). */
  STORAGE_FAILED: 'error',
} as const;

/** One of {@link STORAGE_ERROR_CODES}. */
export type StorageErrorCode = keyof typeof STORAGE_ERROR_CODES;

/** The `outcome` label of a request: `success` or the failure's short name. */
export type StorageOutcome = 'success' | (typeof STORAGE_ERROR_CODES)[StorageErrorCode];

/** Every outcome label, for dashboards and tests. */
export const STORAGE_OUTCOMES: readonly StorageOutcome[] = ['success', ...Object.values(STORAGE_ERROR_CODES)];

/**
 * A failed S3 operation. `message` names the operation, the `s3://` URI and the cause; `code` is stable.
 *
 * @example
 * ```ts
 * try { await getBytes(s3, location) }
 * catch (error) { if (isStorageError(error, 'STORAGE_NOT_FOUND')) … }
 * ```
 */
export class StorageError extends Error {
  override name = 'StorageError';
  readonly code: StorageErrorCode;
  /** The S3 operation, e.g. `GetObject`. */
  readonly operation: string;
  /** `s3://bucket/key` (or the prefix for a list). */
  readonly uri: string;

  constructor(
    code: StorageErrorCode,
    operation: string,
    uri: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.operation = operation;
    this.uri = uri;
  }

  /** The metric label of this failure. */
  get outcome(): StorageOutcome {
    return STORAGE_ERROR_CODES[this.code];
  }
}

/** True when `error` is a {@link StorageError}, of `code` when given. */
export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

const DENIED_NAMES = new Set([
  'AccessDenied',
  'Forbidden',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'AllAccessDisabled',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
  cause?: unknown;
}

/**
 * Classifies an error thrown by the AWS SDK's S3 client. Pure: reads only the error's name, HTTP status and
 * Node error code, so it is the same for every caller.
 *
 * Assumptions: a HEAD answer has no body, so a missing bucket on HEAD reads as `STORAGE_NOT_FOUND`.
 */
export function classifyS3Error(error: unknown): StorageErrorCode {
  if (error instanceof StorageError) return error.code;
  const e = (error ?? {}) as SdkErrorShape;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') return 'STORAGE_NO_SUCH_BUCKET';
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return 'STORAGE_NOT_FOUND';
  if (DENIED_NAMES.has(name) || status === 403 || status === 401) return 'STORAGE_ACCESS_DENIED';
  if (name === 'CredentialsProviderError') return 'STORAGE_NO_CREDENTIALS';
  if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412) {
    return 'STORAGE_PRECONDITION_FAILED';
  }
  if (status !== undefined && status >= 500) return 'STORAGE_UNAVAILABLE';
  if (status === undefined && isNetworkError(e)) return 'STORAGE_UNAVAILABLE';
  return 'STORAGE_FAILED';
}

function isNetworkError(e: SdkErrorShape): boolean {
  for (let current: SdkErrorShape | undefined = e, depth = 0; current && depth < 4; depth++) {
    if (current.code && NETWORK_CODES.has(current.code)) return true;
    if (current.name === 'TimeoutError' || current.name === 'RequestTimeout') return true;
    if (current.name === 'AggregateError') return true;
    current = current.cause as SdkErrorShape | undefined;
  }
  return false;
}

/** Wraps an SDK error as a {@link StorageError} whose message names the operation, URI and cause. */
export function toStorageError(error: unknown, operation: string, uri: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = classifyS3Error(error);
  const e = (error ?? {}) as SdkErrorShape & { message?: string };
  const status = e.$metadata?.httpStatusCode;
  const detail = [e.name && e.name !== 'Error' && e.name !== 'Unknown' ? e.name : undefined, e.code, status]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  const cause = e.message && e.message !== 'UnknownError' ? e.message : DESCRIPTIONS[code];
  return new StorageError(
    code,
    operation,
    uri,
    `${operation} ${uri} failed: ${cause}${detail ? ` (${detail})` : ''}`,
    { cause: error },
  );
}

const DESCRIPTIONS: Record<StorageErrorCode, string> = {
  STORAGE_NOT_FOUND: 'no such object',
  STORAGE_NO_SUCH_BUCKET: 'no such bucket',
  STORAGE_ACCESS_DENIED: 'access denied',
  STORAGE_NO_CREDENTIALS: 'no credentials',
  STORAGE_PRECONDITION_FAILED: 'precondition failed',
  STORAGE_UNAVAILABLE: 'S3 unreachable',
  STORAGE_INVALID_JSON: 'not valid JSON',
  STORAGE_FAILED: 'request failed',
};
