import type { Document, Texture as TextureDef } from '@gltf-transform/core';
import { DocumentView } from '@gltf-transform/view';
import { type BufferGeometry, type CompressedTexture, type Group, Mesh, Texture } from 'three';
import { USDZExporter } from 'three/examples/jsm/exporters/USDZExporter.js';
import { EncodedImage, withHeadlessCanvas } from './headless-canvas.ts';

/** The image provider interface of `@gltf-transform/view` (its index exports only the browser class). */
type ImageProvider = NonNullable<NonNullable<ConstructorParameters<typeof DocumentView>[1]>['imageProvider']>;

/** Options of {@link exportUsdz}. */
export interface ExportUsdzOptions {
  /** Largest texture side written into the package (Apple's AR Quick Look guidance is ≤ 2048). */
  maxTextureSize?: number;
  /**
   * Applies three.js's texture-transform workaround for AR Quick Look (Apple feedback FB10036297,
   * FB11442287); only models using `KHR_texture_transform` are affected.
   */
  quickLookCompatible?: boolean;
  /** Index of the glTF scene to export (the default scene, else the first, when undefined). */
  scene?: number;
}

/** Defaults of {@link exportUsdz}. */
export const EXPORT_USDZ_DEFAULTS: Required<Omit<ExportUsdzOptions, 'scene'>> = {
  maxTextureSize: 2048,
  quickLookCompatible: true,
};

/** Thrown when a model cannot be written as USDZ; `code` is stable. */
export class UsdzExportError extends Error {
  override name = 'UsdzExportError';
  constructor(
    readonly code: 'USDZ_NO_SCENE' | 'USDZ_UNSUPPORTED_TEXTURE' | 'USDZ_TEXTURE_NOT_READY',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Writes a glTF-Transform document as a USDZ package for AR Quick Look with three.js's USDZExporter:
 * the document becomes a three.js scene through `@gltf-transform/view`, textures are handed over as their
 * encoded bytes and re-encoded as PNG by sharp. The package's first entry is the USDA root layer, entries
 * are stored uncompressed and 64-byte aligned, +Y up and 1 unit = 1 m (as in glTF).
 *
 * Caveats: animation and skinning are not exported (the bind pose is); KTX2 textures are refused; a
 * material that is not PBR metallic-roughness (e.g. `KHR_materials_unlit`) is skipped by the exporter.
 *
 * @example
 * ```ts
 * const document = await (await createGltfIO()).readBinary(glb);
 * const usdz = await exportUsdz(document, { maxTextureSize: 2048 });
 * ```
 */
export async function exportUsdz(document: Document, options: ExportUsdzOptions = {}): Promise<Uint8Array> {
  const { maxTextureSize, quickLookCompatible } = { ...EXPORT_USDZ_DEFAULTS, ...options };
  const root = document.getRoot();
  const sceneDef =
    options.scene === undefined
      ? (root.getDefaultScene() ?? root.listScenes()[0])
      : root.listScenes()[options.scene];
  if (!sceneDef) throw new UsdzExportError('USDZ_NO_SCENE', 'the model has no scene to export');
  const images = new EncodedImageProvider();
  for (const texture of root.listTextures()) await images.initTexture(texture);
  const view = new DocumentView(document, { imageProvider: images });
  try {
    const scene = view.view(sceneDef);
    // Texture views resolve from the provider's promises; let them land before exporting.
    await new Promise<void>((resolve) => setImmediate(resolve));
    assertTexturesReady(scene, images.loadingTexture);
    addMissingNormals(scene);
    // The exporter writes each object's local matrix, which three.js composes only on this update.
    scene.updateMatrixWorld(true);
    const exported = await withHeadlessCanvas(() =>
      new USDZExporter().parseAsync(scene, {
        maxTextureSize,
        quickLookCompatible,
        includeAnchoringProperties: true,
        ar: { anchoring: { type: 'plane' }, planeAnchoring: { alignment: 'horizontal' } },
      }),
    );
    return exported instanceof Uint8Array ? exported : new Uint8Array(exported);
  } finally {
    view.dispose();
  }
}

/**
 * glTF renders a primitive without normals flat; the exporter would write zero normals instead. Such
 * geometry gets flat normals (one per triangle corner), shared between meshes that shared the geometry.
 */
function addMissingNormals(scene: Group): void {
  const replaced = new Map<BufferGeometry, BufferGeometry>();
  scene.traverse((object) => {
    if (!(object instanceof Mesh)) return;
    const geometry = object.geometry as BufferGeometry;
    if (geometry.getAttribute('normal')) return;
    let flat = replaced.get(geometry);
    if (!flat) {
      flat = geometry.index ? geometry.toNonIndexed() : geometry.clone();
      flat.computeVertexNormals();
      replaced.set(geometry, flat);
    }
    object.geometry = flat;
  });
}

/** Texture slots of a MeshStandardMaterial/MeshPhysicalMaterial that the exporter reads. */
const TEXTURE_SLOTS = [
  'map',
  'emissiveMap',
  'normalMap',
  'aoMap',
  'roughnessMap',
  'metalnessMap',
  'alphaMap',
  'clearcoatMap',
  'clearcoatRoughnessMap',
] as const;

function assertTexturesReady(scene: Group, loading: Texture): void {
  scene.traverse((object) => {
    const material = (object as { material?: unknown }).material;
    const materials = Array.isArray(material) ? material : [material];
    for (const candidate of materials) {
      if (typeof candidate !== 'object' || candidate === null) continue;
      for (const slot of TEXTURE_SLOTS) {
        const texture = (candidate as Record<string, unknown>)[slot];
        if (texture instanceof Texture && texture.image === loading.image) {
          throw new UsdzExportError('USDZ_TEXTURE_NOT_READY', `texture ${slot} of ${object.name} not loaded`);
        }
      }
    }
  });
}

/** Hands each glTF image to three.js as an {@link EncodedImage}, decoded lazily by the canvas. */
class EncodedImageProvider implements ImageProvider {
  readonly nullTexture = placeholderTexture('__NULL_TEXTURE');
  readonly loadingTexture = placeholderTexture('__LOADING_TEXTURE');
  readonly #cache = new Map<Uint8Array, Texture>();

  async initTexture(textureDef: TextureDef): Promise<void> {
    await this.getTexture(textureDef);
  }

  async getTexture(textureDef: TextureDef): Promise<Texture | CompressedTexture> {
    const image = textureDef.getImage();
    if (!image) return this.nullTexture;
    const cached = this.#cache.get(image);
    if (cached) return cached;
    const mimeType = textureDef.getMimeType();
    if (mimeType === 'image/ktx2') {
      throw new UsdzExportError(
        'USDZ_UNSUPPORTED_TEXTURE',
        `KTX2 texture ${textureDef.getName()} cannot go into USDZ`,
      );
    }
    const texture = new Texture(await EncodedImage.from(image));
    texture.name = textureDef.getName();
    texture.flipY = false;
    this.#cache.set(image, texture);
    return texture;
  }

  setKTX2Loader(): this {
    return this;
  }

  clear(): void {
    for (const texture of this.#cache.values()) texture.dispose();
    this.#cache.clear();
  }
}

function placeholderTexture(name: string): Texture {
  // 1×1 white PNG: a glTF material slot with no image still gets a valid texture.
  const png = Uint8Array.from(
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==',
      'base64',
    ),
  );
  const texture = new Texture(new EncodedImage(png, 1, 1));
  texture.name = name;
  texture.flipY = false;
  return texture;
}
