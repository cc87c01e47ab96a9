import { createGltfIO } from '../gltf/create-io.ts';
import { type ExportUsdzOptions, exportUsdz, UsdzExportError } from './export-usdz.ts';
import { checkUsdzPackage } from './usdz-package.ts';

/**
 * Builds the AR Quick Look USDZ of a GLB (the storefront's web GLB: meshopt, Draco and quantised geometry
 * are decoded first) and checks the package before anyone stores it. Returns undefined when the model
 * holds something USDZ cannot carry (a KTX2 texture, no scene): the version is then published without AR.
 *
 * @example
 * ```ts
 * const usdz = await usdzFromGlb(webGlb, { maxTextureSize: 2048 });
 * ```
 */
export async function usdzFromGlb(
  glb: Uint8Array,
  options: ExportUsdzOptions = {},
): Promise<Uint8Array | undefined> {
  const document = await (await createGltfIO()).readBinary(glb);
  let usdz: Uint8Array;
  try {
    usdz = await exportUsdz(document, options);
  } catch (error) {
    if (error instanceof UsdzExportError && error.code !== 'USDZ_TEXTURE_NOT_READY') return undefined;
    throw error;
  }
  const problems = checkUsdzPackage(usdz);
  if (problems.length > 0)
    throw new Error(`the exported USDZ is not a valid package: ${problems.join('; ')}`);
  return usdz;
}
