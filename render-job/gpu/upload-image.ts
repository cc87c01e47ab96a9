import sharp from 'sharp';
import { RenderError } from '../errors.ts';

/** A decoded texture and its mip chain, ready to upload. */
export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA8 levels, full size first, each half the previous (at least 1 px). */
  levels: Buffer[];
}

/**
 * Decodes an image with sharp, downscaled to at most `maxSize`, and builds its full mip chain on libuv's
 * threads, each level from the one above (a quarter of the work of the level before). Undecodable images
 * are SHAZAM_RENDER_SOURCE_INVALID.
 */
export async function decodeImage(data: Uint8Array, maxSize: number, name: string): Promise<DecodedImage> {
  let decoded: { data: Buffer; info: { width: number; height: number } };
  try {
    decoded = await sharp(data)
      .resize({ width: maxSize, height: maxSize, fit: 'inside', withoutEnlargement: true })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new RenderError(
      'SHAZAM_RENDER_SOURCE_INVALID',
      `texture "${name}" cannot be decoded (${(error as Error).message}); re-export it as PNG, JPEG or WebP`,
      { cause: error },
    );
  }
  const { width, height } = decoded.info;
  const count = Math.floor(Math.log2(Math.max(width, height))) + 1;
  const levels = [decoded.data];
  for (let level = 1; level < count; level++) {
    const above = levels[level - 1]!;
    levels.push(
      await sharp(above, {
        raw: {
          width: Math.max(1, width >> (level - 1)),
          height: Math.max(1, height >> (level - 1)),
          channels: 4,
        },
      })
        .resize(Math.max(1, width >> level), Math.max(1, height >> level), { fit: 'fill', kernel: 'linear' })
        .raw()
        .toBuffer(),
    );
  }
  return { width, height, levels };
}

/** Uploads a decoded image with its mip chain as an `rgba8unorm(-srgb)` texture. */
export function uploadDecodedImage(device: GPUDevice, image: DecodedImage, srgb: boolean): GPUTexture {
  const texture = device.createTexture({
    size: [image.width, image.height],
    format: srgb ? 'rgba8unorm-srgb' : 'rgba8unorm',
    mipLevelCount: image.levels.length,
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
  });
  image.levels.forEach((data, mipLevel) => {
    const w = Math.max(1, image.width >> mipLevel);
    const h = Math.max(1, image.height >> mipLevel);
    device.queue.writeTexture({ texture, mipLevel }, data, { bytesPerRow: w * 4 }, [w, h]);
  });
  return texture;
}

/** A 1×1 texture of one colour (the stand-in for a material slot without a texture). */
export function solidTexture(device: GPUDevice, rgba: number[], srgb: boolean): GPUTexture {
  const texture = device.createTexture({
    size: [1, 1],
    format: srgb ? 'rgba8unorm-srgb' : 'rgba8unorm',
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
  });
  device.queue.writeTexture({ texture }, new Uint8Array(rgba), { bytesPerRow: 4 }, [1, 1]);
  return texture;
}
