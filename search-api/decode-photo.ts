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

/** Longest side the photo is reduced to: the descriptor works on a coarse grid, more pixels only cost time. */
export const PHOTO_WORKING_SIDE = 512;

const FORMATS = new Set(['jpeg', 'png', 'webp']);

/**
 * Decodes a photo, reduced to at most {@link PHOTO_WORKING_SIDE} px on its longer side.
 *
 * Guarantees: the header is read before any pixel is decoded, so a decompression bomb (a small file declaring
 * a huge image) is refused with 413 without being expanded; sharp's own pixel limit backs this up.
 *
 * @example
 * ```ts
 * const { rgba, width, height } = await decodePhoto(body, 40_000_000);
 * ```
 */
export async function decodePhoto(bytes: Buffer, maxPixels: number): Promise<DecodedPhoto> {
  const unsupported = new SearchApiError(
    'SHAZAM_SEARCH_IMAGE_UNSUPPORTED',
    415,
    'the upload is not a JPEG, PNG or WebP image; send the photo file itself',
  );
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw unsupported;
  }
  if (!metadata.format || !FORMATS.has(metadata.format)) throw unsupported;
  const { width, height } = metadata;
  if (!width || !height) throw unsupported;
  if (width * height > maxPixels) {
    throw new SearchApiError(
      'SHAZAM_SEARCH_IMAGE_TOO_MANY_PIXELS',
      413,
      `the photo is ${width}×${height} pixels, more than the ${maxPixels} allowed; scale it down before uploading`,
    );
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
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
    throw new SearchApiError(
      'SHAZAM_SEARCH_IMAGE_CORRUPT',
      422,
      `the ${metadata.format.toUpperCase()} file could not be decoded (${error instanceof Error ? error.message : String(error)}); re-export the photo`,
    );
  }
}
