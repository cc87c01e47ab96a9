import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
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
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    res.writeHead(200, {
      'content-type': contentTypeOf(key),
      ...(object.ContentLength !== undefined ? { 'content-length': object.ContentLength } : {}),
      'cache-control': 'public, max-age=60',
    });
    (object.Body as Readable).pipe(res);
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const code = status === 404 || (error as Error).name === 'NoSuchKey' ? 404 : 502;
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
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: limit }),
    );
    for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && keys.length < limit);
  return keys.sort().slice(0, limit);
}
