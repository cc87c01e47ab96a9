import { NodeIO } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder, MeshoptEncoder } from 'meshoptimizer';

/** Options of {@link createGltfIO}. */
export interface CreateGltfIOOptions {
  /** Also register the Draco and meshopt encoders (needed only to write compressed files). */
  encoders?: boolean;
}

/**
 * The one glTF reader/writer of SHAZAM: a glTF-Transform `NodeIO` with every Khronos and EXT extension
 * registered and the Draco and meshopt decoders attached, so validation and rendering load a file the
 * same way.
 *
 * @example
 * ```ts
 * const io = await createGltfIO();
 * const document = await io.read('model.glb');
 * ```
 */
export async function createGltfIO(options: CreateGltfIOOptions = {}): Promise<NodeIO> {
  await MeshoptDecoder.ready;
  const dependencies: Record<string, unknown> = {
    'draco3d.decoder': await draco3d.createDecoderModule(),
    'meshopt.decoder': MeshoptDecoder,
  };
  if (options.encoders) {
    await MeshoptEncoder.ready;
    dependencies['draco3d.encoder'] = await draco3d.createEncoderModule();
    dependencies['meshopt.encoder'] = MeshoptEncoder;
  }
  return new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies(dependencies);
}
