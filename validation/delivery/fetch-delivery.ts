import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { getStream } from '../../lib/storage/object-store.ts';
import { formatS3Uri, type S3Location } from '../../lib/storage/s3-uri.ts';
import { isStorageError } from '../../lib/storage/storage-error.ts';
import { type Finding, finding } from '../findings.ts';

/** Options of {@link fetchDelivery}. */
export interface FetchDeliveryOptions {
  /** Where to write the ZIP. */
  destPath: string;
  /** Largest ZIP accepted, in bytes; the download stops as soon as it is passed. */
  maxBytes: number;
  /** The sha256 the submission expects (lowercase hex). */
  expectedSha256: string;
}

/** The delivery as downloaded, or the finding that stops validation before unpacking. */
export type FetchDeliveryOutcome =
  | { ok: true; path: string; bytes: number; sha256: string }
  | { ok: false; finding: Finding; sha256?: string };

/**
 * Streams the delivery ZIP from S3 to a local file, hashing it as it arrives, with a size cap checked on
 * the declared length first and on the bytes received second. A missing object, an oversized one and a
 * checksum mismatch are findings (the artist's to fix); any other S3 failure is thrown as a StorageError
 * with its code (infrastructure: the Job retries).
 */
export async function fetchDelivery(
  s3: S3Client,
  location: S3Location,
  options: FetchDeliveryOptions,
): Promise<FetchDeliveryOutcome> {
  const uri = formatS3Uri(location);
  let body: Readable;
  try {
    const response = await getStream(s3, location);
    if (response.contentLength !== undefined && response.contentLength > options.maxBytes) {
      response.body?.destroy();
      return { ok: false, finding: tooLarge(uri, response.contentLength, options.maxBytes) };
    }
    body = response.body;
  } catch (error) {
    if (isStorageError(error, 'STORAGE_NOT_FOUND')) {
      return { ok: false, finding: finding('DELIVERY_NOT_FOUND', `No delivery at ${uri}.`) };
    }
    throw error;
  }
  const hash = createHash('sha256');
  let bytes = 0;
  let over = false;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) {
        over = true;
        callback(new Error('delivery exceeds the size cap'));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(options.destPath));
  } catch (error) {
    if (over) return { ok: false, finding: tooLarge(uri, bytes, options.maxBytes) };
    throw error;
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== options.expectedSha256) {
    return {
      ok: false,
      sha256,
      finding: finding(
        'DELIVERY_SHA256_MISMATCH',
        `${uri} has sha256 ${sha256}; the submission expects ${options.expectedSha256}.`,
      ),
    };
  }
  return { ok: true, path: options.destPath, bytes, sha256 };
}

function tooLarge(uri: string, bytes: number, max: number): Finding {
  return finding(
    'DELIVERY_TOO_LARGE',
    `${uri} is at least ${bytes} bytes; deliveries are limited to ${max}.`,
  );
}
