import { type Document, Logger } from '@gltf-transform/core';
import { dedup, draco, meshopt, prune, weld } from '@gltf-transform/functions';
import { MeshoptEncoder } from 'meshoptimizer';
import sharp from 'sharp';
import { createGltfIO } from '../../lib/gltf/create-io.ts';
import type { WebPolicy } from '../policy/policy.ts';

/** Options of {@link optimizeWebGlb}. */
export interface OptimizeWebGlbOptions {
  /** Largest texture side of the web GLB; larger textures are resized (aspect kept). */
  maxTextureSize?: number;
  /** Geometry compression. */
  compression?: WebPolicy['compression'];
}

/** Defaults of {@link optimizeWebGlb}: the storefront maximum texture size and meshopt. */
export const OPTIMIZE_WEB_GLB_DEFAULTS: Required<OptimizeWebGlbOptions> = {
  maxTextureSize: 2048,
  compression: 'meshopt',
};

/** What {@link optimizeWebGlb} produced. */
export interface WebGlb {
  bytes: Uint8Array;
  resizedTextures: number;
}

/**
 * Builds the storefront GLB from a validated model: dedup, prune, weld, textures resized to the storefront
 * maximum, then meshopt or Draco geometry compression. The document is modified in place.
 *
 * @example
 * ```ts
 * const web = await optimizeWebGlb(document, { maxTextureSize: 2048, compression: 'meshopt' });
 * ```
 */
export async function optimizeWebGlb(
  document: Document,
  options: OptimizeWebGlbOptions = {},
): Promise<WebGlb> {
  const { maxTextureSize, compression } = { ...OPTIMIZE_WEB_GLB_DEFAULTS, ...options };
  // glTF-Transform logs to stdout by default, which would mix with the Job's structured output.
  document.setLogger(new Logger(Logger.Verbosity.SILENT));
  await document.transform(dedup(), prune(), weld());
  let resizedTextures = 0;
  for (const texture of document.getRoot().listTextures()) {
    const image = texture.getImage();
    if (!image) continue;
    const metadata = await sharp(image).metadata();
    if (Math.max(metadata.width ?? 0, metadata.height ?? 0) <= maxTextureSize) continue;
    let resized = sharp(image).resize(maxTextureSize, maxTextureSize, { fit: 'inside' });
    resized = texture.getMimeType() === 'image/jpeg' ? resized.jpeg({ quality: 90 }) : resized.png();
    texture.setImage(new Uint8Array(await resized.toBuffer()));
    resizedTextures++;
  }
  if (compression === 'meshopt') {
    await MeshoptEncoder.ready;
    await document.transform(meshopt({ encoder: MeshoptEncoder, level: 'medium' }));
  } else if (compression === 'draco') {
    await document.transform(draco());
  }
  const io = await createGltfIO({ encoders: true });
  return { bytes: await io.writeBinary(document), resizedTextures };
}
