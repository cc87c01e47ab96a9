import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { headObject } from '../storage/object-store.ts';
import { CLIENT_ERROR_CODES, ClientError } from './errors.ts';

/** Options of {@link uploadDelivery}. */
export interface UploadDeliveryOptions {
  s3: S3Client;
  bucket: string;
  key: string;
  zip: Buffer;
  sha256: string;
  /** Called with bytes sent so far and the total, as parts complete. */
  onProgress?: (sent: number, total: number) => void;
}

/** What {@link uploadDelivery} did. */
export type UploadOutcome = 'uploaded' | 'already-present';

/** Metadata key that records the sha256 of an uploaded delivery, so a re-run can tell same from different. */
const SHA256_METADATA = 'sha256';

/**
 * Uploads a delivery ZIP to `incoming/…`, in parts for large files, reporting progress.
 *
 * Guarantees: a revision's upload is never silently replaced. When the key already holds the same bytes
 * (same sha256 in its metadata) nothing is sent and `already-present` is returned; when it holds other
 * bytes a ClientError `uploadConflict` asks for a new revision, because the submission that pins the old
 * sha256 would otherwise fail validation.
 */
export async function uploadDelivery(options: UploadDeliveryOptions): Promise<UploadOutcome> {
  const { s3, bucket, key, zip, sha256 } = options;
  const head = await headObject(s3, { bucket, key });
  if (head) {
    if (head.metadata[SHA256_METADATA] === sha256) {
      options.onProgress?.(zip.length, zip.length);
      return 'already-present';
    }
    throw new ClientError(
      CLIENT_ERROR_CODES.uploadConflict,
      `s3://${bucket}/${key} already holds a different delivery; bump the revision in manifest.yaml and pack again`,
    );
  }
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: bucket,
      Key: key,
      Body: zip,
      ContentType: 'application/zip',
      Metadata: { [SHA256_METADATA]: sha256 },
    },
    partSize: 5 * 1024 * 1024,
    queueSize: 2,
  });
  upload.on('httpUploadProgress', (progress) => {
    options.onProgress?.(progress.loaded ?? 0, progress.total ?? zip.length);
  });
  await upload.done();
  options.onProgress?.(zip.length, zip.length);
  return 'uploaded';
}
