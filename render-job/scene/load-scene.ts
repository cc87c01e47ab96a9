import type { Document, Material, Node, Primitive, Texture, TextureInfo } from '@gltf-transform/core';
import type {
  Clearcoat,
  EmissiveStrength,
  IOR,
  Sheen,
  Specular,
  Transform,
  Transmission,
} from '@gltf-transform/extensions';
import type { KubeLogger } from '../../lib/kube/logger.ts';
import {
  determinant3,
  type Mat4Like,
  multiply,
  transformDirection,
  transformNormal,
  transformPoint,
  type Vec3,
} from '../camera/mat4.ts';
import { RenderError } from '../errors.ts';
import { computeNormals } from './compute-normals.ts';
import { computeTangents } from './compute-tangents.ts';
import type { Scene, SceneImage, SceneMaterial, ScenePrimitive, SceneTextureRef } from './scene-types.ts';

/**
 * Extensions the renderer implements or can safely read. A file that *requires* anything else is refused
 * with SHAZAM_RENDER_UNSUPPORTED_EXTENSION rather than rendered wrong.
 */
export const SUPPORTED_REQUIRED_EXTENSIONS: readonly string[] = [
  'KHR_draco_mesh_compression',
  'EXT_meshopt_compression',
  'KHR_mesh_quantization',
  'KHR_texture_transform',
  'KHR_materials_emissive_strength',
  'KHR_materials_unlit',
  'EXT_texture_webp',
];

/** Material extensions whose factors the shader applies (their textures are not sampled). */
export const SHADED_MATERIAL_EXTENSIONS: readonly string[] = [
  'KHR_materials_ior',
  'KHR_materials_specular',
  'KHR_materials_sheen',
  'KHR_materials_clearcoat',
  'KHR_materials_transmission',
];

/** Extensions whose data the renderer uses (decoded geometry and textures, or shaded material inputs). */
export const HANDLED_EXTENSIONS: readonly string[] = [
  ...SUPPORTED_REQUIRED_EXTENSIONS,
  ...SHADED_MATERIAL_EXTENSIONS,
];

const TRIANGLES = 4;
const TRIANGLE_STRIP = 5;
const TRIANGLE_FAN = 6;

/**
 * Flattens the default scene of a glTF document into world-space triangle lists: the node hierarchy and
 * its transforms are baked in, skinned meshes are posed at their bind pose, missing normals and tangents
 * are generated, and materials are reduced to what the PBR shader reads.
 *
 * Assumptions: points and lines are not drawn; morph targets render at their base shape.
 *
 * Extensions the file uses but the renderer does not shade (volume, iridescence, anisotropy, …) are named
 * in one warning on `log`, and so are the textures of shaded material extensions (their factors are
 * applied, their textures are not sampled).
 *
 * @example
 * ```ts
 * const document = await (await createGltfIO()).readBinary(glb);
 * const scene = loadScene(document);
 * ```
 */
export function loadScene(document: Document, log?: Pick<KubeLogger, 'warn'>): Scene {
  const root = document.getRoot();
  const ignored = root
    .listExtensionsUsed()
    .map((extension) => extension.extensionName)
    .filter((name) => !HANDLED_EXTENSIONS.includes(name));
  if (ignored.length > 0) {
    log?.warn(
      { extensions: ignored },
      'The model uses glTF extensions the renderer reads but does not shade; frames show the base material',
    );
  }
  const required = root.listExtensionsRequired().map((extension) => extension.extensionName);
  const unsupported = required.filter((name) => !SUPPORTED_REQUIRED_EXTENSIONS.includes(name));
  if (unsupported.length > 0) {
    throw new RenderError(
      'SHAZAM_RENDER_UNSUPPORTED_EXTENSION',
      `the model requires ${unsupported.join(', ')}, which the renderer does not support ` +
        `(supported: ${SUPPORTED_REQUIRED_EXTENSIONS.join(', ')}); re-export it without that extension`,
    );
  }

  const images: SceneImage[] = [];
  const imageIndex = new Map<Texture, number>();
  const materials: SceneMaterial[] = [];
  const materialIndex = new Map<Material | null, number>();
  const primitives: ScenePrimitive[] = [];

  const textureRef = (texture: Texture | null, info: TextureInfo | null, srgb: boolean) => {
    if (!texture || !info) return undefined;
    let index = imageIndex.get(texture);
    if (index === undefined) {
      const data = texture.getImage();
      if (!data) return undefined;
      index = images.length;
      images.push({
        name: texture.getName() || texture.getURI(),
        mimeType: texture.getMimeType(),
        data,
        srgb,
      });
      imageIndex.set(texture, index);
    } else if (srgb) {
      images[index]!.srgb = true;
    }
    return toTextureRef(index, info);
  };

  const unsampled = new Set<string>();
  const materialOf = (material: Material | null): number => {
    let index = materialIndex.get(material);
    if (index !== undefined) return index;
    index = materials.length;
    if (material) for (const name of unsampledTextures(material)) unsampled.add(name);
    materials.push(material ? toSceneMaterial(material, textureRef) : DEFAULT_MATERIAL);
    materialIndex.set(material, index);
    return index;
  };

  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  if (!scene) {
    throw new RenderError(
      'SHAZAM_RENDER_SOURCE_INVALID',
      'the model has no scene: export it with at least one',
    );
  }
  scene.traverse((node) => {
    const mesh = node.getMesh();
    if (!mesh) return;
    for (const primitive of mesh.listPrimitives()) {
      const baked = bakePrimitive(node, primitive);
      if (baked) primitives.push({ ...baked, material: materialOf(primitive.getMaterial()) });
    }
  });

  if (unsampled.size > 0) {
    log?.warn(
      { textures: [...unsampled] },
      'The model has material-extension textures the renderer does not sample; their factors are shaded',
    );
  }
  if (primitives.length === 0) {
    throw new RenderError(
      'SHAZAM_RENDER_SOURCE_INVALID',
      'the model has no triangles in its default scene: check that meshes are attached to scene nodes',
    );
  }
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  let triangleCount = 0;
  let vertexCount = 0;
  for (const primitive of primitives) {
    const p = primitive.positions;
    for (let i = 0; i < p.length; i += 3) {
      for (let axis = 0; axis < 3; axis++) {
        const value = p[i + axis]!;
        if (value < min[axis]!) min[axis] = value;
        if (value > max[axis]!) max[axis] = value;
      }
    }
    triangleCount += primitive.indices.length / 3;
    vertexCount += p.length / 3;
  }
  return {
    primitives,
    materials,
    images,
    bounds: { min, max },
    triangleCount,
    vertexCount,
    extensionsUsed: root.listExtensionsUsed().map((extension) => extension.extensionName),
  };
}

const DEFAULT_MATERIAL: SceneMaterial = {
  baseColorFactor: [1, 1, 1, 1],
  metallicFactor: 1,
  roughnessFactor: 1,
  emissiveFactor: [0, 0, 0],
  normalScale: 1,
  occlusionStrength: 1,
  alphaMode: 'OPAQUE',
  alphaCutoff: 0.5,
  doubleSided: false,
  unlit: false,
  ior: 1.5,
  specularFactor: 1,
  specularColor: [1, 1, 1],
  sheenColor: [0, 0, 0],
  sheenRoughness: 0,
  clearcoat: 0,
  clearcoatRoughness: 0,
  transmission: 0,
};

type TextureRefOf = (
  texture: Texture | null,
  info: TextureInfo | null,
  srgb: boolean,
) => SceneTextureRef | undefined;

function toSceneMaterial(material: Material, textureRef: TextureRefOf): SceneMaterial {
  const strength = material.getExtension<EmissiveStrength>('KHR_materials_emissive_strength');
  const emissiveScale = strength ? strength.getEmissiveStrength() : 1;
  const emissive = material.getEmissiveFactor();
  const scene: SceneMaterial = {
    baseColorFactor: [...material.getBaseColorFactor()] as [number, number, number, number],
    metallicFactor: material.getMetallicFactor(),
    roughnessFactor: material.getRoughnessFactor(),
    emissiveFactor: [emissive[0] * emissiveScale, emissive[1] * emissiveScale, emissive[2] * emissiveScale],
    normalScale: material.getNormalScale(),
    occlusionStrength: material.getOcclusionStrength(),
    alphaMode: material.getAlphaMode(),
    alphaCutoff: material.getAlphaCutoff(),
    doubleSided: material.getDoubleSided(),
    unlit: material.getExtension('KHR_materials_unlit') !== null,
    ...materialLayers(material),
  };
  const slots = {
    baseColor: textureRef(material.getBaseColorTexture(), material.getBaseColorTextureInfo(), true),
    metallicRoughness: textureRef(
      material.getMetallicRoughnessTexture(),
      material.getMetallicRoughnessTextureInfo(),
      false,
    ),
    normal: textureRef(material.getNormalTexture(), material.getNormalTextureInfo(), false),
    occlusion: textureRef(material.getOcclusionTexture(), material.getOcclusionTextureInfo(), false),
    emissive: textureRef(material.getEmissiveTexture(), material.getEmissiveTextureInfo(), true),
  };
  for (const [slot, ref] of Object.entries(slots)) {
    if (ref) scene[slot as keyof typeof slots] = ref;
  }
  return scene;
}

/** The factors of KHR_materials_ior, _specular, _sheen, _clearcoat and _transmission, or their defaults. */
function materialLayers(material: Material) {
  const ior = material.getExtension<IOR>('KHR_materials_ior');
  const specular = material.getExtension<Specular>('KHR_materials_specular');
  const sheen = material.getExtension<Sheen>('KHR_materials_sheen');
  const clearcoat = material.getExtension<Clearcoat>('KHR_materials_clearcoat');
  const transmission = material.getExtension<Transmission>('KHR_materials_transmission');
  // IOR 0 means "infinite" in the spec: a perfect mirror-like dielectric; clamp to a very high index.
  const index = ior ? ior.getIOR() : 1.5;
  return {
    ior: index === 0 ? 1e4 : Math.max(1, index),
    specularFactor: specular ? specular.getSpecularFactor() : 1,
    specularColor: specular ? ([...specular.getSpecularColorFactor()] as Vec3) : ([1, 1, 1] as Vec3),
    sheenColor: sheen ? ([...sheen.getSheenColorFactor()] as Vec3) : ([0, 0, 0] as Vec3),
    sheenRoughness: sheen ? sheen.getSheenRoughnessFactor() : 0,
    clearcoat: clearcoat ? clearcoat.getClearcoatFactor() : 0,
    clearcoatRoughness: clearcoat ? clearcoat.getClearcoatRoughnessFactor() : 0,
    transmission: transmission ? transmission.getTransmissionFactor() : 0,
  };
}

/** Names (`extension.slot`) of the shaded material extensions' textures this material sets. */
function unsampledTextures(material: Material): string[] {
  const specular = material.getExtension<Specular>('KHR_materials_specular');
  const sheen = material.getExtension<Sheen>('KHR_materials_sheen');
  const clearcoat = material.getExtension<Clearcoat>('KHR_materials_clearcoat');
  const transmission = material.getExtension<Transmission>('KHR_materials_transmission');
  const slots: Array<[string, unknown]> = [
    ['KHR_materials_specular.specularTexture', specular?.getSpecularTexture()],
    ['KHR_materials_specular.specularColorTexture', specular?.getSpecularColorTexture()],
    ['KHR_materials_sheen.sheenColorTexture', sheen?.getSheenColorTexture()],
    ['KHR_materials_sheen.sheenRoughnessTexture', sheen?.getSheenRoughnessTexture()],
    ['KHR_materials_clearcoat.clearcoatTexture', clearcoat?.getClearcoatTexture()],
    ['KHR_materials_clearcoat.clearcoatRoughnessTexture', clearcoat?.getClearcoatRoughnessTexture()],
    ['KHR_materials_clearcoat.clearcoatNormalTexture', clearcoat?.getClearcoatNormalTexture()],
    ['KHR_materials_transmission.transmissionTexture', transmission?.getTransmissionTexture()],
  ];
  return slots.filter(([, texture]) => texture !== null && texture !== undefined).map(([name]) => name);
}

function toTextureRef(image: number, info: TextureInfo): SceneTextureRef {
  const transform = info.getExtension<Transform>('KHR_texture_transform');
  let texCoord = info.getTexCoord();
  let matrix: SceneTextureRef['transform'] = [1, 0, 0, 0, 1, 0];
  if (transform) {
    const [ox, oy] = transform.getOffset();
    const [sx, sy] = transform.getScale();
    const c = Math.cos(transform.getRotation());
    const s = Math.sin(transform.getRotation());
    // KHR_texture_transform: T · R · S with R = [[c, s], [−s, c]].
    matrix = [c * sx, s * sy, ox, -s * sx, c * sy, oy];
    const override = transform.getTexCoord();
    if (override !== null && override !== undefined) texCoord = override;
  }
  return {
    image,
    texCoord: texCoord === 1 ? 1 : 0,
    transform: matrix,
    wrapS: info.getWrapS(),
    wrapT: info.getWrapT(),
    nearest: info.getMagFilter() === 9728,
  };
}

type Baked = Omit<ScenePrimitive, 'material'>;

function bakePrimitive(node: Node, primitive: Primitive): Baked | undefined {
  const mode = primitive.getMode();
  if (mode !== TRIANGLES && mode !== TRIANGLE_STRIP && mode !== TRIANGLE_FAN) return undefined;
  const position = primitive.getAttribute('POSITION');
  if (!position) return undefined;
  const count = position.getCount();
  const indexAccessor = primitive.getIndices();
  const rawIndices = indexAccessor
    ? Uint32Array.from(indexAccessor.getArray() ?? [])
    : Uint32Array.from({ length: count }, (_, i) => i);
  let indices = toTriangleList(rawIndices, mode);

  const localPositions = readAttribute(primitive, 'POSITION', 3, count, 0)!;
  const localNormals = readAttribute(primitive, 'NORMAL', 3, count, 0);
  const localTangents = readAttribute(primitive, 'TANGENT', 4, count, 0);
  const uv0 = readAttribute(primitive, 'TEXCOORD_0', 2, count, 0) ?? new Float32Array(count * 2);
  const uv1 = readAttribute(primitive, 'TEXCOORD_1', 2, count, 0) ?? new Float32Array(count * 2);
  const colors = readColors(primitive, count);

  const vertexMatrices = skinMatrices(node, primitive, count);
  const nodeMatrix = node.getWorldMatrix();
  const positions = new Float32Array(count * 3);
  const normals = localNormals ? new Float32Array(count * 3) : undefined;
  const tangents = localTangents ? new Float32Array(count * 4) : undefined;
  let flip = determinant3(nodeMatrix) < 0;
  for (let v = 0; v < count; v++) {
    const m = vertexMatrices ? vertexMatrices(v) : nodeMatrix;
    transformPoint(m, localPositions, v * 3, positions, v * 3);
    if (normals && localNormals) transformNormal(m, localNormals, v * 3, normals, v * 3);
    if (tangents && localTangents) {
      transformDirection(m, localTangents, v * 4, tangents, v * 4);
      tangents[v * 4 + 3] = (localTangents[v * 4 + 3]! < 0 ? -1 : 1) * (determinant3(m) < 0 ? -1 : 1);
    }
  }
  if (vertexMatrices) flip = false;
  if (flip) indices = flipWinding(indices);
  const finalNormals = normals ?? computeNormals(positions, indices);
  const finalTangents = tangents ?? computeTangents(positions, finalNormals, uv0, indices);
  return { positions, normals: finalNormals, tangents: finalTangents, uv0, uv1, colors, indices };
}

function toTriangleList(indices: Uint32Array, mode: number): Uint32Array {
  if (mode === TRIANGLES) return indices.slice(0, indices.length - (indices.length % 3));
  const out: number[] = [];
  for (let i = 2; i < indices.length; i++) {
    if (mode === TRIANGLE_STRIP) {
      if (i % 2 === 0) out.push(indices[i - 2]!, indices[i - 1]!, indices[i]!);
      else out.push(indices[i - 1]!, indices[i - 2]!, indices[i]!);
    } else {
      out.push(indices[0]!, indices[i - 1]!, indices[i]!);
    }
  }
  return Uint32Array.from(out);
}

function flipWinding(indices: Uint32Array): Uint32Array {
  const out = indices.slice();
  for (let t = 0; t < out.length; t += 3) {
    out[t + 1] = indices[t + 2]!;
    out[t + 2] = indices[t + 1]!;
  }
  return out;
}

function readAttribute(
  primitive: Primitive,
  semantic: string,
  size: number,
  count: number,
  fill: number,
): Float32Array | undefined {
  const accessor = primitive.getAttribute(semantic);
  if (!accessor) return undefined;
  const out = new Float32Array(count * size).fill(fill);
  const element: number[] = [];
  const elementSize = accessor.getElementSize();
  for (let v = 0; v < count; v++) {
    accessor.getElement(v, element);
    for (let c = 0; c < Math.min(size, elementSize); c++) out[v * size + c] = element[c]!;
  }
  return out;
}

function readColors(primitive: Primitive, count: number): Float32Array {
  const accessor = primitive.getAttribute('COLOR_0');
  const out = new Float32Array(count * 4).fill(1);
  if (!accessor) return out;
  const element: number[] = [];
  const size = accessor.getElementSize();
  for (let v = 0; v < count; v++) {
    accessor.getElement(v, element);
    for (let c = 0; c < size; c++) out[v * 4 + c] = element[c]!;
  }
  return out;
}

/** For a skinned primitive, a function giving each vertex's bind-pose matrix; undefined otherwise. */
function skinMatrices(
  node: Node,
  primitive: Primitive,
  count: number,
): ((vertex: number) => Mat4Like) | undefined {
  const skin = node.getSkin();
  const jointsAccessor = primitive.getAttribute('JOINTS_0');
  const weightsAccessor = primitive.getAttribute('WEIGHTS_0');
  if (!skin || !jointsAccessor || !weightsAccessor) return undefined;
  const ibm = skin.getInverseBindMatrices();
  const jointMatrices = skin.listJoints().map((joint, j) => {
    const inverseBind = ibm ? (ibm.getElement(j, []) as number[]) : IDENTITY;
    return multiply(joint.getWorldMatrix(), inverseBind, new Float64Array(16));
  });
  const joints: number[] = [];
  const weights: number[] = [];
  const blended = new Float64Array(16);
  return (vertex: number) => {
    if (vertex >= count) return IDENTITY;
    jointsAccessor.getElement(vertex, joints);
    weightsAccessor.getElement(vertex, weights);
    blended.fill(0);
    let total = 0;
    for (let i = 0; i < 4; i++) {
      const weight = weights[i] ?? 0;
      const matrix = jointMatrices[joints[i] ?? 0];
      if (!weight || !matrix) continue;
      total += weight;
      for (let k = 0; k < 16; k++) blended[k] = blended[k]! + weight * matrix[k]!;
    }
    if (total === 0) return node.getWorldMatrix();
    if (Math.abs(total - 1) > 1e-6) for (let k = 0; k < 16; k++) blended[k] = blended[k]! / total;
    return blended;
  };
}

const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
