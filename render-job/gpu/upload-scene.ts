/**
 * Uploads what the frames draw: the studio environment (group 0), every material with its textures
 * (group 1) and every primitive's vertex and index buffers. Textures are decoded and mip-mapped in parallel
 * on libuv's threads, then uploaded.
 */
import type { StudioEnvironment } from '../environment/create-studio-environment.ts';
import type { Scene, SceneMaterial, SceneTextureRef } from '../scene/scene-types.ts';
import type { Pipelines } from './pipelines.ts';
import { type DecodedImage, decodeImage, solidTexture, uploadDecodedImage } from './upload-image.ts';

/** Bytes of the per-frame uniform block (see pbr-shader.ts). */
export const FRAME_UNIFORM_BYTES = (16 + 16 + 4 + 4 + 36) * 4;
const MATERIAL_UNIFORM_BYTES = (4 * 5 + 40 + 4 * 3) * 4;

/** Records a GPU resource so the renderer frees it. */
export type Track = <T extends { destroy(): void }>(resource: T) => T;

/** A primitive's buffers on the GPU. */
export interface GpuPrimitive {
  buffers: GPUBuffer[];
  indexBuffer: GPUBuffer;
  indexCount: number;
  material: number;
  /** Object-space centroid, to sort blended primitives back to front. */
  centroid: [number, number, number];
}

/** The environment and frame uniforms: group 0. */
export function uploadEnvironment(
  device: GPUDevice,
  environment: StudioEnvironment,
  pipelines: Pipelines,
  track: Track,
): { frameBuffer: GPUBuffer; frameBindGroup: GPUBindGroup } {
  const first = environment.levels[0]!;
  const envTexture = track(
    device.createTexture({
      size: [first.width, first.height],
      format: 'rgba16float',
      mipLevelCount: environment.levels.length,
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
    }),
  );
  environment.levels.forEach((level, mipLevel) => {
    device.queue.writeTexture(
      { texture: envTexture, mipLevel },
      level.data,
      { bytesPerRow: level.width * 8 },
      [level.width, level.height],
    );
  });
  const frameBuffer = track(
    device.createBuffer({
      size: FRAME_UNIFORM_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    }),
  );
  const frameBindGroup = device.createBindGroup({
    layout: pipelines.frameLayout,
    entries: [
      { binding: 0, resource: { buffer: frameBuffer } },
      { binding: 1, resource: envTexture.createView() },
      {
        binding: 2,
        resource: device.createSampler({
          addressModeU: 'repeat',
          addressModeV: 'clamp-to-edge',
          magFilter: 'linear',
          minFilter: 'linear',
          mipmapFilter: 'linear',
        }),
      },
    ],
  });
  return { frameBuffer, frameBindGroup };
}

/** Every material's bind group (group 1), in scene order. Textures larger than `maxTextureSize` shrink. */
export async function uploadMaterials(
  device: GPUDevice,
  scene: Scene,
  pipelines: Pipelines,
  maxTextureSize: number,
  track: Track,
): Promise<GPUBindGroup[]> {
  const slotsOf = (material: SceneMaterial) =>
    [
      [material.baseColor, true],
      [material.metallicRoughness, false],
      [material.normal, false],
      [material.occlusion, false],
      [material.emissive, true],
    ] as const;
  // Decode every referenced image once, all at once (each on its own libuv thread).
  const decoded = new Map<number, Promise<DecodedImage>>();
  const limit = Math.min(maxTextureSize, device.limits.maxTextureDimension2D);
  for (const material of scene.materials) {
    for (const [ref] of slotsOf(material)) {
      if (ref && !decoded.has(ref.image)) {
        const image = scene.images[ref.image]!;
        decoded.set(ref.image, decodeImage(image.data, limit, image.name));
      }
    }
  }
  const images = new Map<number, DecodedImage>();
  await Promise.all([...decoded].map(async ([index, promise]) => images.set(index, await promise)));

  const textures = new Map<string, GPUTexture>();
  const textureFor = (ref: SceneTextureRef | undefined, srgb: boolean): GPUTexture => {
    if (!ref) return srgb ? whiteSrgb : white;
    const key = `${ref.image}-${srgb}`;
    let texture = textures.get(key);
    if (!texture) {
      texture = track(uploadDecodedImage(device, images.get(ref.image)!, srgb));
      textures.set(key, texture);
    }
    return texture;
  };
  const white = track(solidTexture(device, [255, 255, 255, 255], false));
  const whiteSrgb = track(solidTexture(device, [255, 255, 255, 255], true));
  const samplers = new Map<string, GPUSampler>();
  const samplerFor = (ref: SceneTextureRef | undefined) => {
    const key = ref ? `${ref.wrapS}-${ref.wrapT}-${ref.nearest}` : 'default';
    let sampler = samplers.get(key);
    if (!sampler) {
      sampler = device.createSampler({
        addressModeU: addressMode(ref?.wrapS ?? 10497),
        addressModeV: addressMode(ref?.wrapT ?? 10497),
        magFilter: ref?.nearest ? 'nearest' : 'linear',
        minFilter: 'linear',
        mipmapFilter: 'linear',
      });
      samplers.set(key, sampler);
    }
    return sampler;
  };

  return scene.materials.map((material) => {
    const uniform = track(
      device.createBuffer({
        size: MATERIAL_UNIFORM_BYTES,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      }),
    );
    device.queue.writeBuffer(uniform, 0, materialUniform(material));
    const slots = slotsOf(material);
    return device.createBindGroup({
      layout: pipelines.materialLayout,
      entries: [
        { binding: 0, resource: { buffer: uniform } },
        ...slots.map(([ref, srgb], i) => ({ binding: 1 + i, resource: textureFor(ref, srgb).createView() })),
        ...slots.map(([ref], i) => ({ binding: 6 + i, resource: samplerFor(ref) })),
      ],
    });
  });
}

/** Every primitive's vertex attributes (position, normal, tangent, uv0, uv1, colour) and indices. */
export function uploadPrimitives(device: GPUDevice, scene: Scene, track: Track): GpuPrimitive[] {
  const upload = (data: Float32Array | Uint32Array, usage: number) => {
    const buffer = track(
      device.createBuffer({
        size: Math.max(4, Math.ceil(data.byteLength / 4) * 4),
        usage: usage | GPUBufferUsage.COPY_DST,
      }),
    );
    device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  };
  return scene.primitives.map((primitive) => {
    const attributes = [
      primitive.positions,
      primitive.normals,
      primitive.tangents,
      primitive.uv0,
      primitive.uv1,
      primitive.colors,
    ];
    const p = primitive.positions;
    const centroid: [number, number, number] = [0, 0, 0];
    for (let i = 0; i < p.length; i += 3) {
      centroid[0] += p[i]!;
      centroid[1] += p[i + 1]!;
      centroid[2] += p[i + 2]!;
    }
    const n = Math.max(1, p.length / 3);
    return {
      buffers: attributes.map((data) => upload(data, GPUBufferUsage.VERTEX)),
      indexBuffer: upload(primitive.indices, GPUBufferUsage.INDEX),
      indexCount: primitive.indices.length,
      material: primitive.material,
      centroid: [centroid[0] / n, centroid[1] / n, centroid[2] / n],
    };
  });
}

/** The material uniform block the shader reads (factors, alpha mode, UV sets, texture transforms). */
function materialUniform(material: SceneMaterial): Float32Array {
  const data = new Float32Array(MATERIAL_UNIFORM_BYTES / 4);
  data.set(material.baseColorFactor, 0);
  data.set([...material.emissiveFactor, material.unlit ? 1 : 0], 4);
  data.set(
    [material.metallicFactor, material.roughnessFactor, material.normalScale, material.occlusionStrength],
    8,
  );
  const alphaMode = material.alphaMode === 'BLEND' ? 2 : material.alphaMode === 'MASK' ? 1 : 0;
  data.set([material.alphaCutoff, alphaMode, material.normal ? 1 : 0, material.emissive?.texCoord ?? 0], 12);
  const slots = [
    material.baseColor,
    material.metallicRoughness,
    material.normal,
    material.occlusion,
    material.emissive,
  ];
  data.set(
    slots.slice(0, 4).map((ref) => ref?.texCoord ?? 0),
    16,
  );
  slots.forEach((ref, i) => {
    const t = ref?.transform ?? [1, 0, 0, 0, 1, 0];
    data.set([t[0], t[1], t[2], 0, t[3], t[4], t[5], 0], 20 + i * 8);
  });
  data.set([...material.sheenColor, material.sheenRoughness], 60);
  data.set([material.clearcoat, material.clearcoatRoughness, material.transmission, material.ior], 64);
  data.set([...material.specularColor, material.specularFactor], 68);
  return data;
}

function addressMode(wrap: number): GPUAddressMode {
  if (wrap === 33071) return 'clamp-to-edge';
  if (wrap === 33648) return 'mirror-repeat';
  return 'repeat';
}
