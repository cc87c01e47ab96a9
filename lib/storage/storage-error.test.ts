import { describe, expect, it } from 'vitest';
import { classifyS3Error, StorageError, toStorageError } from './storage-error.ts';

const sdk = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
const network = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('classifyS3Error', () => {
  it.each([
    // GET of a missing key: the body names it
    [sdk('NoSuchKey', 404), 'STORAGE_NOT_FOUND'],
    // HEAD has no body: a bare 404
    [sdk('NotFound', 404), 'STORAGE_NOT_FOUND'],
    [sdk('Unknown', 404), 'STORAGE_NOT_FOUND'],
    // a missing bucket is configuration, not a missing object
    [sdk('NoSuchBucket', 404), 'STORAGE_NO_SUCH_BUCKET'],
    [sdk('AccessDenied', 403), 'STORAGE_ACCESS_DENIED'],
    // a bucket policy's 403 without a parsable body
    [sdk('Unknown', 403), 'STORAGE_ACCESS_DENIED'],
    [sdk('InvalidAccessKeyId', 403), 'STORAGE_ACCESS_DENIED'],
    [sdk('CredentialsProviderError'), 'STORAGE_NO_CREDENTIALS'],
    [sdk('PreconditionFailed', 412), 'STORAGE_PRECONDITION_FAILED'],
    [sdk('ConditionalRequestConflict', 409), 'STORAGE_PRECONDITION_FAILED'],
    [sdk('SlowDown', 503), 'STORAGE_UNAVAILABLE'],
    [sdk('InternalError', 500), 'STORAGE_UNAVAILABLE'],
    // connection refused, DNS, reset: no HTTP status at all
    [network('ECONNREFUSED'), 'STORAGE_UNAVAILABLE'],
    [network('ENOTFOUND'), 'STORAGE_UNAVAILABLE'],
    [Object.assign(new Error('wrapped'), { cause: network('ECONNRESET') }), 'STORAGE_UNAVAILABLE'],
    [sdk('TimeoutError'), 'STORAGE_UNAVAILABLE'],
    [sdk('InvalidRequest', 400), 'STORAGE_FAILED'],
    [new Error('something else'), 'STORAGE_FAILED'],
    [undefined, 'STORAGE_FAILED'],
  ])('%s is %s', (error, code) => {
    expect(classifyS3Error(error)).toBe(code);
  });
});

describe('toStorageError', () => {
  it('names the operation, the URI and the cause, and keeps the SDK error as the cause', () => {
    const cause = sdk('Unknown', 403);
    cause.message = 'UnknownError';
    const error = toStorageError(cause, 'GetObject', 's3://b/k');
    expect(error).toBeInstanceOf(StorageError);
    expect(error.code).toBe('STORAGE_ACCESS_DENIED');
    expect(error.outcome).toBe('access_denied');
    expect(error.message).toBe('GetObject s3://b/k failed: access denied (403)');
    expect(error.cause).toBe(cause);
  });

  it('returns a StorageError unchanged', () => {
    const error = new StorageError('STORAGE_NOT_FOUND', 'GetObject', 's3://b/k', 'gone');
    expect(toStorageError(error, 'HeadObject', 's3://x/y')).toBe(error);
  });
});
