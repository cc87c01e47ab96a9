/**
 * The S3 reads and writes of the controllers, over `@aws-sdk/client-s3`. A missing object is `undefined`,
 * never an error; every other failure is a {@link ControllerError} `CONTROLLER_STORAGE_ERROR`.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { revisionOfKey, versionsPrefix } from '../lib/storage/layout.ts';
import { ControllerError } from './reasons.ts';

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

function storageError(action: string, bucket: string, key: string, cause: unknown): ControllerError {
  return new ControllerError(
    'CONTROLLER_STORAGE_ERROR',
    `${action} s3://${bucket}/${key} failed: ${(cause as Error)?.message ?? String(cause)}`,
    { cause },
  );
}

/** Reads and parses a JSON object; `undefined` when it does not exist. Throws on invalid JSON. */
export async function readJson(s3: S3Client, bucket: string, key: string): Promise<unknown | undefined> {
  let text: string;
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await answer.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw storageError('Reading', bucket, key, error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ControllerError('CONTROLLER_INVALID_OBJECT', `s3://${bucket}/${key} is not valid JSON`, {
      cause,
    });
  }
}

/** True when the object exists. */
export async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw storageError('Checking', bucket, key, error);
  }
}

/** Writes a JSON document in one PUT. */
export async function putJson(s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: `${JSON.stringify(value, null, 2)}\n`,
        ContentType: 'application/json',
        // The pointer must never be served stale by a CDN.
        CacheControl: 'no-cache',
      }),
    );
  } catch (error) {
    throw storageError('Writing', bucket, key, error);
  }
}

/** The revisions that have a folder under `assets/<ASIN>/versions/`, ascending. */
export async function listStoredVersions(s3: S3Client, bucket: string, asin: string): Promise<number[]> {
  const prefix = versionsPrefix(asin);
  const versions = new Set<number>();
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          Delimiter: '/',
          ContinuationToken: token,
        }),
      );
      for (const common of page.CommonPrefixes ?? []) {
        const revision = common.Prefix ? revisionOfKey(asin, common.Prefix) : undefined;
        if (revision !== undefined) versions.add(revision);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw storageError('Listing', bucket, prefix, error);
  }
  return [...versions].sort((a, b) => a - b);
}

/** Deletes every object under `prefix`; returns how many were deleted. Idempotent. */
export async function deletePrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ objects: number; bytes: number }> {
  const deleted = { objects: 0, bytes: 0 };
  try {
    for (;;) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }));
      const items = (page.Contents ?? []).filter((item) => item.Key !== undefined);
      if (items.length === 0) return deleted;
      const answer = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: items.map((item) => ({ Key: item.Key! })), Quiet: true },
        }),
      );
      if (answer.Errors && answer.Errors.length > 0) {
        const first = answer.Errors[0];
        throw new Error(
          `${answer.Errors.length} objects not deleted, first ${first?.Key}: ${first?.Message}`,
        );
      }
      deleted.objects += items.length;
      deleted.bytes += items.reduce((sum, item) => sum + (item.Size ?? 0), 0);
    }
  } catch (error) {
    throw storageError('Deleting under', bucket, prefix, error);
  }
}

/** Deletes one object; a missing object is fine. */
export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  try {
    await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: key }], Quiet: true } }),
    );
  } catch (error) {
    if (isMissing(error)) return;
    throw storageError('Deleting', bucket, key, error);
  }
}
