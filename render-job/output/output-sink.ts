import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { formatS3Uri } from '../../lib/storage/s3-uri.ts';
import { RenderError } from '../errors.ts';

/** Where a render writes its files, addressed by paths relative to the output folder/prefix. */
export interface OutputSink {
  /** The URI or path a relative path ends up at, for logs and the RenderJob status. */
  locate(path: string): string;
  /** Writes one file; rejects with SHAZAM_RENDER_OUTPUT_FAILED. */
  write(path: string, data: Uint8Array, contentType: string): Promise<void>;
}

/**
 * An {@link OutputSink} writing into a local directory (created as needed).
 *
 * @example
 * ```ts
 * await directorySink('out').write('360/000.webp', bytes, 'image/webp');
 * ```
 */
export function directorySink(directory: string): OutputSink {
  const root = resolve(directory);
  return {
    locate: (path) => join(root, path),
    async write(path, data) {
      const target = join(root, path);
      try {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, data);
      } catch (error) {
        throw new RenderError(
          'SHAZAM_RENDER_OUTPUT_FAILED',
          `cannot write ${target}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}

/**
 * An {@link OutputSink} writing S3 objects under `prefix` (which should end with a slash) in `bucket`.
 *
 * @example
 * ```ts
 * const sink = s3Sink(client, 'shazam-assets', 'assets/B0CHAIR001/versions/3/renders/');
 * ```
 */
export function s3Sink(client: S3Client, bucket: string, prefix: string): OutputSink {
  return {
    locate: (path) => formatS3Uri({ bucket, key: `${prefix}${path}` }),
    async write(path, data, contentType) {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `${prefix}${path}`,
            Body: data,
            ContentType: contentType,
          }),
        );
      } catch (error) {
        throw new RenderError(
          'SHAZAM_RENDER_OUTPUT_FAILED',
          `cannot write ${formatS3Uri({ bucket, key: `${prefix}${path}` })}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
  };
}
