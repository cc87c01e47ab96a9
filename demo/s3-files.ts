import type { ServerResponse } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import { getStream, listObjects } from '../lib/storage/object-store.ts';
import { isStorageError } from '../lib/storage/storage-error.ts';
import { contentTypeOf } from './static-files.ts';

/**
 * Streams `s3://bucket/key` to `res` the way a CDN in front of the assets bucket would, so the pages
 * load models and frames from their own origin (no CORS set-up on the bucket).
 */
export async function sendS3Object(
  res: ServerResponse,
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<void> {
  try {
    const object = await getStream(s3, { bucket, key });
    res.writeHead(200, {
      'content-type': contentTypeOf(key),
      ...(object.contentLength !== undefined ? { 'content-length': object.contentLength } : {}),
      'cache-control': 'public, max-age=60',
    });
    object.body.pipe(res);
  } catch (error) {
    const code = isStorageError(error, 'STORAGE_NOT_FOUND') ? 404 : 502;
    res
      .writeHead(code, { 'content-type': 'text/plain; charset=utf-8' })
      .end(code === 404 ? 'not found\n' : 'storage error\n');
  }
}

/** Keys under `prefix`, sorted, at most `limit`. */
export async function listKeys(
  s3: S3Client,
  bucket: string,
  prefix: string,
  limit = 1000,
): Promise<string[]> {
  const { objects } = await listObjects(s3, bucket, prefix, { limit });
  return objects.map((object) => object.key).sort();
}
