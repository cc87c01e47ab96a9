import type { Document } from '@gltf-transform/core';
import { createGltfIO } from '../../lib/gltf/create-io.ts';
import { RenderError } from '../errors.ts';

/**
 * Parses a GLB (or, given `path` to a `.gltf`, a glTF with its side files) through SHAZAM's one glTF
 * reader, turning parser failures into SHAZAM_RENDER_SOURCE_INVALID and unknown required extensions
 * into SHAZAM_RENDER_UNSUPPORTED_EXTENSION.
 *
 * @example
 * ```ts
 * const document = await readModel({ bytes: await readFile('model.glb'), name: 'model.glb' });
 * ```
 */
export async function readModel(source: {
  bytes: Uint8Array;
  name: string;
  path?: string;
}): Promise<Document> {
  const io = await createGltfIO();
  try {
    if (source.path?.toLowerCase().endsWith('.gltf')) return await io.read(source.path);
    return await io.readBinary(source.bytes);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/required extension/i.test(message)) {
      throw new RenderError(
        'SHAZAM_RENDER_UNSUPPORTED_EXTENSION',
        `${source.name}: ${message}; re-export the model without that extension`,
        { cause: error },
      );
    }
    throw new RenderError(
      'SHAZAM_RENDER_SOURCE_INVALID',
      `${source.name} is not a readable glTF binary (${message}); check it with \`shazam lint\``,
      { cause: error },
    );
  }
}
