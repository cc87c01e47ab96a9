/**
 * The renderer's view of a glTF scene: world-space triangle lists with every attribute the shader reads,
 * materials reduced to the metallic-roughness model, and the encoded images they sample. Built once by
 * `loadScene`, uploaded once by `createRenderer`, independent of WebGPU so it can be tested on its own.
 */
import type { Vec3 } from '../camera/mat4.ts';

/** One texture slot of a material. */
export interface SceneTextureRef {
  /** Index into {@link Scene.images}. */
  image: number;
  /** Which UV set the slot samples (0 or 1). */
  texCoord: number;
  /**
   * KHR_texture_transform as the two rows of a 2×3 affine matrix, `[a, b, c, d, e, f]`:
   * `u' = a·u + b·v + c`, `v' = d·u + e·v + f`. Identity when the extension is absent.
   */
  transform: [number, number, number, number, number, number];
  /** glTF wrap modes (10497 repeat, 33071 clamp, 33648 mirrored repeat). */
  wrapS: number;
  wrapT: number;
  /** True when the sampler asks for nearest-neighbour magnification. */
  nearest: boolean;
}

/** glTF alpha modes. */
export type AlphaMode = 'OPAQUE' | 'MASK' | 'BLEND';

/** A metallic-roughness material. */
export interface SceneMaterial {
  baseColorFactor: [number, number, number, number];
  metallicFactor: number;
  roughnessFactor: number;
  /** Emissive colour already multiplied by KHR_materials_emissive_strength. */
  emissiveFactor: Vec3;
  normalScale: number;
  occlusionStrength: number;
  alphaMode: AlphaMode;
  alphaCutoff: number;
  doubleSided: boolean;
  /** KHR_materials_unlit: base colour shown as is. */
  unlit: boolean;
  /** KHR_materials_ior (1.5 without it). */
  ior: number;
  /** KHR_materials_specular: strength and colour of the dielectric reflection (1 and white without it). */
  specularFactor: number;
  specularColor: Vec3;
  /** KHR_materials_sheen: colour (black: no sheen) and roughness. */
  sheenColor: Vec3;
  sheenRoughness: number;
  /** KHR_materials_clearcoat: strength (0: none) and roughness. */
  clearcoat: number;
  clearcoatRoughness: number;
  /** KHR_materials_transmission: share of light passing through the surface (0: opaque). */
  transmission: number;
  baseColor?: SceneTextureRef;
  metallicRoughness?: SceneTextureRef;
  normal?: SceneTextureRef;
  occlusion?: SceneTextureRef;
  emissive?: SceneTextureRef;
}

/** An encoded image (PNG, JPEG or WebP) as stored in the glTF. */
export interface SceneImage {
  name: string;
  mimeType: string;
  data: Uint8Array;
  /** True when some material samples it as colour (base colour, emissive), i.e. it is sRGB-encoded. */
  srgb: boolean;
}

/** One triangle list in world space (bind pose for skinned meshes). */
export interface ScenePrimitive {
  /** xyz per vertex. */
  positions: Float32Array;
  /** Unit xyz per vertex. */
  normals: Float32Array;
  /** xyzw per vertex (w is the bitangent sign). */
  tangents: Float32Array;
  /** uv per vertex, set 0 and set 1 (zeros when absent). */
  uv0: Float32Array;
  uv1: Float32Array;
  /** Linear rgba per vertex (ones when absent). */
  colors: Float32Array;
  /** Three indices per triangle, counter-clockwise front faces. */
  indices: Uint32Array;
  /** Index into {@link Scene.materials}. */
  material: number;
}

/** Axis-aligned bounds. */
export interface Bounds {
  min: Vec3;
  max: Vec3;
}

/** Everything the renderer needs from one glTF document. */
export interface Scene {
  primitives: ScenePrimitive[];
  materials: SceneMaterial[];
  images: SceneImage[];
  /** World-space bounds of every rendered vertex. */
  bounds: Bounds;
  triangleCount: number;
  vertexCount: number;
  /** Extensions the file uses, for the manifest. */
  extensionsUsed: string[];
}
