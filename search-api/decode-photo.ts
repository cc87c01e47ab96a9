/**
 * Turns an uploaded photo into RGBA pixels for the descriptor, refusing what could hurt the service: formats
 * other than JPEG, PNG and WebP, corrupt files, and images whose pixel count (not byte size) is too large.
 */
import sharp, { type Metadata } from 'sharp';
import { SearchApiError } from './errors.ts';

/** Decoded pixels, 4 bytes per pixel. */
export interface DecodedPhoto {
  rgba: Uint8Array;
  width: number;
  height: number;
}

/**
 * Longest side the photo is decoded to: the descriptor samples the product on a 32×32 grid of at most 4×4
 * samples per cell (128 px across the product) and finds it on a grid of 192 cells; the renderer describes
 * its frames at 256 px. JPEGs are decoded straight at a fraction of their size (libjpeg scales while it
 * decodes), so a 12-megapixel photo costs little more than a small one.
 */
export const PHOTO_WORKING_SIDE = 320;

/** The formats accepted, by their file signature. */
type PhotoFormat = 'jpeg' | 'png' | 'webp';

/**
 * The format a file's first bytes name, or undefined. The signature, not the Content-Type nor the
 * decoder's opinion of a damaged header, decides between "not a photo" (415) and "a damaged photo" (422).
 */
export function sniffPhotoFormat(bytes: Uint8Array): PhotoFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 8 &&
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, index) => bytes[index] === byte)
  ) {
    return 'png';
  }
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/**
 * How strict the decoder is, per format. JPEG: libjpeg's "Corrupt JPEG data" is only a warning (it fills the
 * damaged blocks with grey and carries on), so warnings fail too, as the API promises 422 for corrupt photos.
 * PNG and WebP: errors only (libpng warns about harmless things, such as a known-incorrect sRGB profile).
 */
const FAIL_ON = { jpeg: 'warning', png: 'error', webp: 'error' } as const;

/**
 * Decodes a photo, reduced to at most {@link PHOTO_WORKING_SIDE} px on its longer side.
 *
 * Guarantees: the header is read before any pixel is decoded, so a decompression bomb (a small file declaring
 * a huge image) is refused with 413 without being expanded; sharp's own pixel limit backs this up. Bytes
 * without a JPEG, PNG or WebP signature are 415; a file with one that does not decode cleanly (a damaged
 * header, truncated or corrupt scan data) is 422.
 *
 * @example
 * ```ts
 * const { rgba, width, height } = await decodePhoto(body, 40_000_000);
 * ```
 */
export async function decodePhoto(bytes: Buffer, maxPixels: number): Promise<DecodedPhoto> {
  const format = sniffPhotoFormat(bytes);
  if (!format) {
    throw new SearchApiError(
      'SHAZAM_SEARCH_IMAGE_UNSUPPORTED',
      415,
      'the upload is not a JPEG, PNG or WebP image; send the photo file itself',
    );
  }
  const corrupt = (error: unknown) =>
    new SearchApiError(
      'SHAZAM_SEARCH_IMAGE_CORRUPT',
      422,
      `the ${format.toUpperCase()} file could not be decoded (${error instanceof Error ? error.message : String(error)}); re-export the photo`,
    );
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw corrupt(error);
  }
  const { width, height } = metadata;
  if (metadata.format !== format || !width || !height) throw corrupt(new Error('unreadable header'));
  if (width * height > maxPixels) {
    throw new SearchApiError(
      'SHAZAM_SEARCH_IMAGE_TOO_MANY_PIXELS',
      413,
      `the photo is ${width}×${height} pixels, more than the ${maxPixels} allowed; scale it down before uploading`,
    );
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: FAIL_ON[format] })
      .rotate()
      .resize(PHOTO_WORKING_SIDE, PHOTO_WORKING_SIDE, { fit: 'inside', withoutEnlargement: true })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      rgba: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    throw corrupt(error);
  }
}
