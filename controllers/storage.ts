/**
 * The S3 reads and writes of the controllers, over lib/storage/object-store.ts. A missing object is
 * `undefined`, never an error; a document that is not JSON is a {@link ControllerError}
 * `CONTROLLER_INVALID_OBJECT`; every other failure is `CONTROLLER_STORAGE_ERROR`, whose message and cause
 * carry the storage code (`STORAGE_ACCESS_DENIED`, `STORAGE_UNAVAILABLE`, …).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { revisionOfKey, versionsPrefix } from '../lib/storage/layout.ts';
import * as store from '../lib/storage/object-store.ts';
import { isStorageError } from '../lib/storage/storage-error.ts';
import { ControllerError } from './reasons.ts';

/** Runs one storage call, turning its {@link StorageError} into the controllers' error type. */
async function controllerStorage<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isStorageError(error)) throw error;
    if (error.code === 'STORAGE_INVALID_JSON') {
      throw new ControllerError('CONTROLLER_INVALID_OBJECT', `${error.uri} is not valid JSON`, {
        cause: error,
      });
    }
    throw new ControllerError('CONTROLLER_STORAGE_ERROR', `${error.message} [${error.code}]`, {
      cause: error,
    });
  }
}

/** Reads and parses a JSON object; `undefined` when it does not exist. Throws on invalid JSON. */
export function readJson(s3: S3Client, bucket: string, key: string): Promise<unknown | undefined> {
  return controllerStorage(() => store.getJsonIfExists(s3, { bucket, key }));
}

/** True when the object exists. */
export function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  return controllerStorage(() => store.objectExists(s3, { bucket, key }));
}

/** Writes a JSON document in one PUT, never cached: the pointer must never be served stale by a CDN. */
export function putJson(s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  return controllerStorage(() => store.putJson(s3, { bucket, key }, value, { cacheControl: 'no-cache' }));
}

/** The revisions that have a folder under `assets/<ASIN>/versions/`, ascending. */
export async function listStoredVersions(s3: S3Client, bucket: string, asin: string): Promise<number[]> {
  const { prefixes } = await controllerStorage(() =>
    store.listObjects(s3, bucket, versionsPrefix(asin), { delimiter: '/' }),
  );
  const versions = new Set<number>();
  for (const prefix of prefixes) {
    const revision = revisionOfKey(asin, prefix);
    if (revision !== undefined) versions.add(revision);
  }
  return [...versions].sort((a, b) => a - b);
}

/** Deletes every object under `prefix`; returns how many objects and bytes were deleted. Idempotent. */
export function deletePrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ objects: number; bytes: number }> {
  return controllerStorage(() => store.deletePrefix(s3, bucket, prefix));
}

/** Deletes one object; a missing object is fine. */
export function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  return controllerStorage(() => store.deleteKeys(s3, bucket, [key]));
}
