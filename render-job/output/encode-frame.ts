import sharp from 'sharp';
import type { FrameFormat } from '../turntable-settings.ts';

/** Options of {@link encodeFrame}. */
export interface EncodeFrameOptions {
  /** WebP quality, 1–100. */
  webpQuality?: number;
  /** PNG zlib level, 0–9 (1 is about twice as fast as 6 for ~2× the bytes). */
  pngCompressionLevel?: number;
}

/** Defaults of {@link EncodeFrameOptions}. */
export const ENCODE_FRAME_DEFAULTS: Required<EncodeFrameOptions> = {
  webpQuality: 90,
  pngCompressionLevel: 6,
};

/**
 * Encodes one square RGBA8 frame with sharp (libvips runs it on a libuv thread, off the render loop).
 * Alpha is kept, so transparent turntables stay transparent in both formats.
 *
 * @example
 * ```ts
 * const webp = await encodeFrame(pixels, 1024, 'webp');
 * ```
 */
export async function encodeFrame(
  pixels: Uint8Array,
  size: number,
  format: FrameFormat,
  options: EncodeFrameOptions = {},
): Promise<Buffer> {
  const settings = { ...ENCODE_FRAME_DEFAULTS, ...options };
  const image = sharp(pixels, { raw: { width: size, height: size, channels: 4 } });
  if (format === 'png') return image.png({ compressionLevel: settings.pngCompressionLevel }).toBuffer();
  return image.webp({ quality: settings.webpQuality, alphaQuality: 100, effort: 2 }).toBuffer();
}
