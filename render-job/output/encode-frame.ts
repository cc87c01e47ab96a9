import sharp from 'sharp';
import type { FrameFormat } from '../turntable-settings.ts';

/** Options of {@link encodeFrame}. */
export interface EncodeFrameOptions {
  /** WebP quality, 1–100. */
  webpQuality?: number;
  /** libwebp effort, 0 (fastest) – 6 (smallest). */
  webpEffort?: number;
  /** PNG zlib level, 0–9 (1 is about twice as fast as 6 for ~2× the bytes). */
  pngCompressionLevel?: number;
  /**
   * The frame has a solid background (every alpha 255): encode RGB only. libwebp then skips its lossless
   * alpha plane, which costs time and bytes and says nothing.
   */
  opaque?: boolean;
  /** Downscale to this edge first (the poster of a large turntable); unset keeps the frame's size. */
  resizeTo?: number;
}

/**
 * Defaults of {@link EncodeFrameOptions}, chosen by measurement (docs/render.md, "Encoder settings"):
 * effort 2 costs the CPU time of effort 1 for 11–20% fewer bytes; efforts 3–4 cost twice the time for
 * 1–2% fewer; quality 90 keeps PSNR ≥ 42 dB on product frames.
 */
export const ENCODE_FRAME_DEFAULTS: Required<Omit<EncodeFrameOptions, 'resizeTo'>> = {
  webpQuality: 90,
  webpEffort: 2,
  pngCompressionLevel: 6,
  opaque: false,
};

/**
 * Encodes one square RGBA8 frame with sharp (libvips runs it on a libuv thread, off the render loop).
 * Alpha is kept unless the frame is `opaque`, so transparent turntables stay transparent in both formats.
 *
 * @example
 * ```ts
 * const webp = await encodeFrame(pixels, 1024, 'webp', { opaque: true });
 * ```
 */
export async function encodeFrame(
  pixels: Uint8Array,
  size: number,
  format: FrameFormat,
  options: EncodeFrameOptions = {},
): Promise<Buffer> {
  const settings = { ...ENCODE_FRAME_DEFAULTS, ...options };
  let image = sharp(pixels, { raw: { width: size, height: size, channels: 4 } });
  if (settings.opaque) image = image.removeAlpha();
  if (settings.resizeTo !== undefined && settings.resizeTo < size) {
    // Cubic: 47 ms of CPU for 2000 → 1024 against lanczos3's 61 (docs/render.md), as sharp for a poster.
    image = image.resize(settings.resizeTo, settings.resizeTo, { kernel: 'cubic' });
  }
  if (format === 'png') return image.png({ compressionLevel: settings.pngCompressionLevel }).toBuffer();
  return image
    .webp({
      quality: settings.webpQuality,
      effort: settings.webpEffort,
      ...(settings.opaque ? {} : { alphaQuality: 100 }),
    })
    .toBuffer();
}
