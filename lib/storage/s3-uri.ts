/** A parsed `s3://bucket/key` URI. */
export interface S3Location {
  bucket: string;
  key: string;
}

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/;

/**
 * Parses `s3://bucket/key`. Throws a TypeError that names the URI and the expected form when it is not one.
 *
 * @example
 * ```ts
 * parseS3Uri('s3://shazam-incoming/incoming/B0CHAIR001/r1.zip') // {bucket: 'shazam-incoming', key: 'incoming/…'}
 * ```
 */
export function parseS3Uri(uri: string): S3Location {
  const match = S3_URI.exec(uri);
  if (!match) {
    throw new TypeError(
      `"${uri}" is not an S3 URI: expected s3://<bucket>/<key> with a DNS-style bucket name`,
    );
  }
  return { bucket: match[1]!, key: match[2]! };
}

/** Formats an S3 location as `s3://bucket/key`. */
export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}
