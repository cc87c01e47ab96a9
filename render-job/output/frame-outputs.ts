/**
 * Everything one rendered frame becomes: its encoded files (`360/NNN.webp|png`), the poster for frame 0,
 * and the frame's photo-search descriptor. Runs inside the encode stage, off the render loop.
 */
import sharp from 'sharp';
import type { RenderFile } from '../../lib/contracts/render-manifest.ts';
import { computeDescriptor } from '../../lib/image-descriptor/compute-descriptor.ts';
import { frameFileName } from '../../lib/storage/layout.ts';
import type { FrameFormat } from '../turntable-settings.ts';
import { type EncodeFrameOptions, encodeFrame } from './encode-frame.ts';

/** Path of the poster under the output prefix. */
export const POSTER_PATH = 'poster.webp';
/** Edge of the copy a frame's descriptor is computed from. */
export const DESCRIPTOR_SIZE = 256;
/** Largest poster edge: a storefront poster larger than this only costs bytes. */
export const POSTER_MAX_SIZE = 1024;

/** How frames are written. */
export interface FrameOutputSettings {
  /** Frame edge in pixels. */
  size: number;
  formats: readonly FrameFormat[];
  /** Solid background: frames carry no alpha worth encoding. */
  opaque: boolean;
  /** Encoder options (quality, effort). */
  encode: EncodeFrameOptions;
}

/** Writes one file and records it. */
export type WriteFile = (path: string, data: Uint8Array, contentType: string) => Promise<RenderFile>;

/** What {@link writeFrameOutputs} produced for one frame. */
export interface FrameOutputs {
  /** Paths per format. */
  files: { webp?: string; png?: string };
  /** The frame's descriptor (composited on white, from a 256 px copy). */
  descriptor: Float32Array;
}

/**
 * Encodes frame `index` in every format and writes it; frame 0 also gives the poster (frame 0's WebP bytes
 * when the frame is at most {@link POSTER_MAX_SIZE}, else a downscaled copy). Returns the paths and the
 * frame's descriptor.
 */
export async function writeFrameOutputs(
  index: number,
  pixels: Uint8Array,
  settings: FrameOutputSettings,
  write: WriteFile,
): Promise<FrameOutputs> {
  const { size, opaque } = settings;
  const encode = { ...settings.encode, opaque };
  const files: FrameOutputs['files'] = {};
  const [descriptor] = await Promise.all([
    describe(pixels, size, opaque),
    ...settings.formats.map(async (format) => {
      const bytes = await encodeFrame(pixels, size, format, encode);
      const path = `360/${frameFileName(index, format)}`;
      await write(path, bytes, `image/${format}`);
      files[format] = path;
      if (index === 0 && format === 'webp' && size <= POSTER_MAX_SIZE) {
        await write(POSTER_PATH, bytes, 'image/webp');
      }
    }),
  ]);
  if (index === 0 && !(settings.formats.includes('webp') && size <= POSTER_MAX_SIZE)) {
    const poster = await encodeFrame(pixels, size, 'webp', { ...encode, resizeTo: POSTER_MAX_SIZE });
    await write(POSTER_PATH, poster, 'image/webp');
  }
  return { files, descriptor };
}

/** The descriptor of a frame: composited on white (as product photos are) and downscaled first. */
async function describe(pixels: Uint8Array, size: number, opaque: boolean): Promise<Float32Array> {
  const target = Math.min(size, DESCRIPTOR_SIZE);
  let image = sharp(pixels, { raw: { width: size, height: size, channels: 4 } });
  if (!opaque) image = image.flatten({ background: '#ffffff' });
  const { data, info } = await image
    // libvips' linear reduce averages the whole footprint at this shrink: half lanczos3's CPU time (8 vs 16 ms
    // for 1024 → 256, docs/render.md), and the descriptor's coarse statistics do not see the difference.
    .resize(target, target, { kernel: 'linear' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return computeDescriptor(
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    info.width,
    info.height,
  );
}
