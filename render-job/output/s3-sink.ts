import type { S3Client } from '@aws-sdk/client-s3';
import { putObject } from '../../lib/storage/object-store.ts';
import { formatS3Uri } from '../../lib/storage/s3-uri.ts';
import { RenderError } from '../errors.ts';
import type { OutputSink } from './output-sink.ts';

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
        await putObject(client, { bucket, key: `${prefix}${path}` }, data, { contentType });
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
