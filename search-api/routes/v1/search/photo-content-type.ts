/**
 * The one rule for the Content-Type of a photo upload, checked before the body is read:
 *
 * - `image/jpeg` (also written `image/jpg` or `image/pjpeg`), `image/png`, `image/webp` and
 *   `application/octet-stream`: the body is the photo;
 * - `multipart/form-data` with a `boundary` parameter: the first file of the form is the photo (without a
 *   boundary the form cannot be read: 400 `SHAZAM_SEARCH_BAD_MULTIPART`);
 * - anything else, or no Content-Type: 415 `FST_ERR_CTP_INVALID_MEDIA_TYPE`, whatever the bytes.
 *
 * Media types are compared case-insensitively, parameters aside. The bytes, not the Content-Type, then decide
 * the format: a photo that is not a JPEG, PNG or WebP is 415 `SHAZAM_SEARCH_IMAGE_UNSUPPORTED`.
 */
import { SearchApiError } from '../../../errors.ts';

/** Media types whose body is the photo itself. */
export const RAW_PHOTO_TYPES = [
  'image/jpeg',
  'image/jpg',
  'image/pjpeg',
  'image/png',
  'image/webp',
  'application/octet-stream',
] as const;

/** The accepted Content-Types, for messages. */
export const PHOTO_CONTENT_TYPES_TEXT =
  'image/jpeg (or image/jpg), image/png, image/webp, application/octet-stream or multipart/form-data';

/** How the body of a photo upload is to be read. */
export type PhotoBodyKind = 'raw' | 'multipart';

/** An error in fastify's own code for an unsupported Content-Type, answered 415. */
class UnsupportedMediaType extends Error {
  readonly code = 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
  readonly statusCode = 415;
}

/**
 * Applies the rule to a request's Content-Type header. Returns how to read the body, or throws the 4xx.
 *
 * @example
 * ```ts
 * photoBodyKind('IMAGE/JPG') // 'raw'
 * photoBodyKind('multipart/form-data; boundary=x') // 'multipart'
 * photoBodyKind('text/plain') // throws, 415
 * ```
 */
export function photoBodyKind(contentType: string | undefined): PhotoBodyKind {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';');
  const type = mediaType.trim().toLowerCase();
  if ((RAW_PHOTO_TYPES as readonly string[]).includes(type)) return 'raw';
  if (type === 'multipart/form-data') {
    const hasBoundary = parameters.some((parameter) => {
      const [name = '', value = ''] = parameter.split('=');
      return name.trim().toLowerCase() === 'boundary' && value.trim().replace(/^"|"$/g, '').length > 0;
    });
    if (!hasBoundary) {
      throw new SearchApiError(
        'SHAZAM_SEARCH_BAD_MULTIPART',
        400,
        'multipart/form-data without a boundary parameter cannot be read; let the HTTP client build the form',
      );
    }
    return 'multipart';
  }
  throw new UnsupportedMediaType(
    `unsupported Content-Type ${type ? `"${type}"` : '(none)'}; send ${PHOTO_CONTENT_TYPES_TEXT}`,
  );
}
