/**
 * Every S3 read and write of SHAZAM, over `@aws-sdk/client-s3`. Each function sends its requests and turns
 * any failure into a {@link StorageError} with a stable code, so callers branch on `code`
 * (`STORAGE_NOT_FOUND` vs `STORAGE_ACCESS_DENIED` vs `STORAGE_UNAVAILABLE` …), never on SDK error names.
 *
 * Guarantees: the only error a function throws is a StorageError (a caller's own `onPage` aside); a
 * missing key is `STORAGE_NOT_FOUND` from the getters and `undefined`/`false` from
 * {@link getJsonIfExists}, {@link headObject} and {@link objectExists}, never a silent `undefined` for
 * any other failure.
 */
import type { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { formatS3Uri, type S3Location } from './s3-uri.ts';
import { StorageError, toStorageError } from './storage-error.ts';

/** Options of {@link putObject} and {@link putJson}. */
export interface PutOptions {
  /** `Content-Type`; `application/json` for {@link putJson}, `application/octet-stream` otherwise. */
  contentType?: string;
  /** `Cache-Control`, e.g. `no-cache` for a pointer a CDN must never serve stale. */
  cacheControl?: string;
  /** Write only when the key does not exist yet (`If-None-Match: *`); a lost race is `STORAGE_PRECONDITION_FAILED`. */
  ifNoneMatch?: boolean;
  /** User metadata (`x-amz-meta-*`). */
  metadata?: Record<string, string>;
}

/** What a HEAD tells about an object. */
export interface ObjectInfo {
  contentLength: number | undefined;
  contentType: string | undefined;
  etag: string | undefined;
  metadata: Record<string, string>;
}

/** An object's body as a stream, with its declared length. */
export interface ObjectStream {
  body: Readable;
  contentLength: number | undefined;
}

/** One listed object. */
export interface ListedObject {
  key: string;
  size: number;
}

/** Options of {@link listObjects}. */
export interface ListOptions {
  /** Group keys below the next `delimiter` into `prefixes` (e.g. `/` for one folder level). */
  delimiter?: string;
  /** Stop after this many objects (default: all). */
  limit?: number;
}

/** What {@link listObjects} found. */
export interface Listing {
  objects: ListedObject[];
  /** Common prefixes, with `delimiter` only. */
  prefixes: string[];
}

/** Reads an object's bytes. Throws a {@link StorageError} (`STORAGE_NOT_FOUND` when the key is missing). */
export async function getBytes(s3: S3Client, location: S3Location): Promise<Uint8Array> {
  const uri = formatS3Uri(location);
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    if (!answer.Body) return new Uint8Array();
    return await answer.Body.transformToByteArray();
  } catch (error) {
    throw toStorageError(error, 'GetObject', uri);
  }
}

/** Opens an object as a stream (the caller consumes or destroys `body`). Throws a {@link StorageError}. */
export async function getStream(s3: S3Client, location: S3Location): Promise<ObjectStream> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return { body: answer.Body as Readable, contentLength: answer.ContentLength };
  } catch (error) {
    throw toStorageError(error, 'GetObject', formatS3Uri(location));
  }
}

/**
 * Reads and parses a JSON object. Throws a {@link StorageError}: `STORAGE_NOT_FOUND` when missing,
 * `STORAGE_INVALID_JSON` when the bytes are not JSON.
 *
 * @example
 * ```ts
 * const pointer = await getJson(s3, { bucket: 'shazam-assets', key: 'assets/B0CHAIR001/published.json' });
 * ```
 */
export async function getJson(s3: S3Client, location: S3Location): Promise<unknown> {
  const bytes = await getBytes(s3, location);
  const uri = formatS3Uri(location);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (cause) {
    throw new StorageError('STORAGE_INVALID_JSON', 'GetObject', uri, `${uri} is not valid JSON`, { cause });
  }
}

/** Like {@link getJson}, but `undefined` when the key does not exist; every other failure throws. */
export async function getJsonIfExists(s3: S3Client, location: S3Location): Promise<unknown | undefined> {
  try {
    return await getJson(s3, location);
  } catch (error) {
    if (error instanceof StorageError && error.code === 'STORAGE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** Writes an object in one PUT. Throws a {@link StorageError}. */
export async function putObject(
  s3: S3Client,
  location: S3Location,
  body: Uint8Array | string,
  options: PutOptions = {},
): Promise<void> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        Body: body,
        ContentType: options.contentType ?? 'application/octet-stream',
        ...(options.cacheControl ? { CacheControl: options.cacheControl } : {}),
        ...(options.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        ...(options.metadata ? { Metadata: options.metadata } : {}),
      }),
    );
  } catch (error) {
    throw toStorageError(error, 'PutObject', formatS3Uri(location));
  }
}

/** The bytes {@link putJson} writes for `value`: indented JSON with a final newline. */
export function jsonBody(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Writes a JSON document in one PUT (`application/json`, indented, final newline). Throws a
 * {@link StorageError}.
 */
export async function putJson(
  s3: S3Client,
  location: S3Location,
  value: unknown,
  options: PutOptions = {},
): Promise<void> {
  await putObject(s3, location, jsonBody(value), { contentType: 'application/json', ...options });
}

/** HEADs an object: its length, type and metadata, or `undefined` when it does not exist. */
export async function headObject(s3: S3Client, location: S3Location): Promise<ObjectInfo | undefined> {
  try {
    const answer = await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return {
      contentLength: answer.ContentLength,
      contentType: answer.ContentType,
      etag: answer.ETag,
      metadata: answer.Metadata ?? {},
    };
  } catch (error) {
    const failure = toStorageError(error, 'HeadObject', formatS3Uri(location));
    if (failure.code === 'STORAGE_NOT_FOUND') return undefined;
    throw failure;
  }
}

/** True when the object exists; any failure other than a missing key throws a {@link StorageError}. */
export async function objectExists(s3: S3Client, location: S3Location): Promise<boolean> {
  return (await headObject(s3, location)) !== undefined;
}

/**
 * Lists the objects under `prefix` in key order, page by page (1000 keys a request). Throws a
 * {@link StorageError}.
 */
export async function listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
  options: ListOptions = {},
): Promise<Listing> {
  const listing: Listing = { objects: [], prefixes: [] };
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
          ...(Number.isFinite(limit) ? { MaxKeys: Math.min(1000, limit - listing.objects.length) } : {}),
        }),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key !== undefined) listing.objects.push({ key: item.Key, size: item.Size ?? 0 });
      }
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) listing.prefixes.push(common.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && listing.objects.length < limit);
  } catch (error) {
    throw toStorageError(error, 'ListObjectsV2', formatS3Uri({ bucket, key: prefix }));
  }
  listing.objects = listing.objects.slice(0, limit);
  return listing;
}

/**
 * Deletes `keys` (up to 1000 a request); keys that do not exist are fine. Throws a {@link StorageError}
 * when S3 refuses the request or any key.
 */
export async function deleteKeys(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000);
    const uri = formatS3Uri({ bucket, key: batch[0] ?? '' });
    let answer: DeleteObjectsCommandOutput;
    try {
      answer = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
    } catch (error) {
      throw toStorageError(error, 'DeleteObjects', uri);
    }
    const first = answer.Errors?.[0];
    if (first) {
      const code = first.Code === 'AccessDenied' ? 'STORAGE_ACCESS_DENIED' : 'STORAGE_FAILED';
      throw new StorageError(
        code,
        'DeleteObjects',
        formatS3Uri({ bucket, key: first.Key ?? '' }),
        `DeleteObjects left ${answer.Errors?.length} objects in s3://${bucket}/, first ${first.Key}: ${first.Message}`,
      );
    }
  }
}

/**
 * Deletes every object under `prefix`; returns how many objects and bytes went. Idempotent. Throws a
 * {@link StorageError}.
 */
export async function deletePrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ objects: number; bytes: number }> {
  const deleted = { objects: 0, bytes: 0 };
  for (;;) {
    const { objects } = await listObjects(s3, bucket, prefix, { limit: 1000 });
    if (objects.length === 0) return deleted;
    await deleteKeys(
      s3,
      bucket,
      objects.map((object) => object.key),
    );
    deleted.objects += objects.length;
    deleted.bytes += objects.reduce((sum, object) => sum + object.size, 0);
  }
}
