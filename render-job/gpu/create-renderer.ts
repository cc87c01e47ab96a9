import sharp from 'sharp';
import type { StudioEnvironment } from '../environment/create-studio-environment.ts';
import { RenderError } from '../errors.ts';
import type { Scene, SceneMaterial, SceneTextureRef } from '../scene/scene-types.ts';
import type { GpuContext } from './create-gpu-context.ts';
import { pbrShader } from './pbr-shader.ts';

/** Options of {@link createRenderer}. */
export interface RendererOptions {
  /** Frame width and height in pixels (square frames). */
  resolution?: number;
  /** Multisample count: 1 or 4. */
  msaaSamples?: 1 | 4;
  /** Background as linear-free sRGB bytes `[r, g, b]`, or `transparent`. */
  background?: [number, number, number] | 'transparent';
  /** Exposure multiplier applied before tone mapping. */
  exposure?: number;
  /** Largest texture edge uploaded; bigger textures are downscaled (the frames never need more). */
  maxTextureSize?: number;
}

/** Defaults of {@link RendererOptions}. */
export const RENDERER_DEFAULTS: Required<RendererOptions> = {
  resolution: 1024,
  msaaSamples: 4,
  background: 'transparent',
  exposure: 1,
  maxTextureSize: 2048,
};

/** Where the camera is and how the model is turned for one frame. */
export interface FrameView {
  /** Column-major projection × view. */
  viewProjection: Float32Array;
  /** Column-major model matrix (a rotation about the turntable axis). */
  model: Float32Array;
  /** Camera position in world space. */
  eye: [number, number, number];
}

/** A scene uploaded to the GPU, ready to render frames. */
export interface Renderer {
  readonly resolution: number;
  /**
   * Renders one frame and reads it back as tightly packed RGBA8 (sRGB, straight alpha), `resolution²·4`
   * bytes. Frames may be requested one after another; each call resolves once its pixels are on the CPU.
   */
  renderFrame(view: FrameView): Promise<Uint8Array>;
  /** Frees every GPU resource of this renderer (not the device). */
  destroy(): void;
}

const FRAME_UNIFORM_BYTES = (16 + 16 + 4 + 4 + 4 + 4 + 36) * 4;
const MATERIAL_UNIFORM_BYTES = (4 * 5 + 40) * 4;
const COLOR_FORMAT: GPUTextureFormat = 'rgba8unorm';
const DEPTH_FORMAT: GPUTextureFormat = 'depth24plus';

interface GpuPrimitive {
  buffers: GPUBuffer[];
  indexBuffer: GPUBuffer;
  indexCount: number;
  material: number;
  /** Object-space centroid, to sort blended primitives back to front. */
  centroid: [number, number, number];
}

/**
 * Uploads a {@link Scene} (geometry, textures with mipmaps, materials) and the studio environment to the GPU
 * and returns a {@link Renderer}. Opaque and masked primitives draw first, alpha-blended ones after,
 * sorted back to front for each frame.
 *
 * Guarantees: GPU out-of-memory during upload or rendering is reported as SHAZAM_RENDER_OUT_OF_MEMORY and a
 * validation error or device loss as SHAZAM_RENDER_DEVICE_FAILED, never as a silently blank frame.
 *
 * @example
 * ```ts
 * const renderer = await createRenderer(context, scene, environment, { resolution: 512 });
 * const rgba = await renderer.renderFrame(view);
 * ```
 */
export async function createRenderer(
  context: GpuContext,
  scene: Scene,
  environment: StudioEnvironment,
  options: RendererOptions = {},
): Promise<Renderer> {
  const settings = { ...RENDERER_DEFAULTS, ...options };
  const { device } = context;
  const size = settings.resolution;
  if (size > device.limits.maxTextureDimension2D) {
    throw new RenderError(
      'SHAZAM_RENDER_INVALID_OPTIONS',
      `resolution ${size} exceeds this adapter's maximum texture size ${device.limits.maxTextureDimension2D}`,
    );
  }
  let lost: string | undefined;
  device.lost.then((info) => {
    lost = `${info.reason}: ${info.message}`;
  });
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');

  const owned: Array<{ destroy(): void }> = [];
  const track = <T extends { destroy(): void }>(resource: T): T => {
    owned.push(resource);
    return resource;
  };

  const modules = {
    opaque: device.createShaderModule({ code: pbrShader({ alphaMask: false }) }),
    masked: device.createShaderModule({ code: pbrShader({ alphaMask: true }) }),
  };
  const frameLayout = device.createBindGroupLayout({
    entries: [
      {
        binding: 0,
        visibility: GPUShaderStage.VERTEX | GPUShaderStage.FRAGMENT,
        buffer: { type: 'uniform' },
      },
      { binding: 1, visibility: GPUShaderStage.FRAGMENT, texture: { sampleType: 'float' } },
      { binding: 2, visibility: GPUShaderStage.FRAGMENT, sampler: { type: 'filtering' } },
    ],
  });
  const materialLayout = device.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: GPUShaderStage.FRAGMENT, buffer: { type: 'uniform' } },
      ...[1, 2, 3, 4, 5].map((binding) => ({
        binding,
        visibility: GPUShaderStage.FRAGMENT,
        texture: { sampleType: 'float' as const },
      })),
      ...[6, 7, 8, 9, 10].map((binding) => ({
        binding,
        visibility: GPUShaderStage.FRAGMENT,
        sampler: { type: 'filtering' as const },
      })),
    ],
  });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [frameLayout, materialLayout] });
  const pipelines = new Map<string, GPURenderPipeline>();
  const pipelineFor = (material: SceneMaterial): GPURenderPipeline => {
    const blend = material.alphaMode === 'BLEND';
    const masked = material.alphaMode === 'MASK';
    const key = `${blend}-${masked}-${material.doubleSided}`;
    let pipeline = pipelines.get(key);
    if (!pipeline) {
      pipeline = createPipeline(
        device,
        masked ? modules.masked : modules.opaque,
        pipelineLayout,
        blend,
        material.doubleSided,
        settings.msaaSamples,
      );
      pipelines.set(key, pipeline);
    }
    return pipeline;
  };

  // Environment.
  const envTexture = track(
    device.createTexture({
      size: [environment.levels[0]!.width, environment.levels[0]!.height],
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
    layout: frameLayout,
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

  // Textures: one GPU texture per (image, colour space).
  const textures = new Map<string, GPUTexture>();
  const textureFor = async (ref: SceneTextureRef | undefined, srgb: boolean, fallback: GPUTexture) => {
    if (!ref) return fallback;
    const key = `${ref.image}-${srgb}`;
    let texture = textures.get(key);
    if (!texture) {
      const image = scene.images[ref.image]!;
      texture = track(await uploadImage(device, image.data, srgb, settings.maxTextureSize, image.name));
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

  const materialGroups: GPUBindGroup[] = [];
  for (const material of scene.materials) {
    const uniform = track(
      device.createBuffer({
        size: MATERIAL_UNIFORM_BYTES,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      }),
    );
    device.queue.writeBuffer(uniform, 0, materialUniform(material));
    const slots = [
      [material.baseColor, await textureFor(material.baseColor, true, whiteSrgb)],
      [material.metallicRoughness, await textureFor(material.metallicRoughness, false, white)],
      [material.normal, await textureFor(material.normal, false, white)],
      [material.occlusion, await textureFor(material.occlusion, false, white)],
      [material.emissive, await textureFor(material.emissive, true, whiteSrgb)],
    ] as const;
    materialGroups.push(
      device.createBindGroup({
        layout: materialLayout,
        entries: [
          { binding: 0, resource: { buffer: uniform } },
          ...slots.map(([, texture], i) => ({ binding: 1 + i, resource: texture.createView() })),
          ...slots.map(([ref], i) => ({ binding: 6 + i, resource: samplerFor(ref) })),
        ],
      }),
    );
  }

  const primitives: GpuPrimitive[] = scene.primitives.map((primitive) => {
    const upload = (data: Float32Array | Uint32Array, usage: number) => {
      const buffer = track(
        device.createBuffer({
          size: Math.max(4, align(data.byteLength, 4)),
          usage: usage | GPUBufferUsage.COPY_DST,
        }),
      );
      device.queue.writeBuffer(buffer, 0, data);
      return buffer;
    };
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

  // Targets and the readback ring.
  const usage = GPUTextureUsage.RENDER_ATTACHMENT;
  const multisampled =
    settings.msaaSamples > 1
      ? track(
          device.createTexture({
            size: [size, size],
            format: COLOR_FORMAT,
            sampleCount: settings.msaaSamples,
            usage,
          }),
        )
      : undefined;
  const resolved = track(
    device.createTexture({
      size: [size, size],
      format: COLOR_FORMAT,
      usage: usage | GPUTextureUsage.COPY_SRC,
    }),
  );
  const depth = track(
    device.createTexture({
      size: [size, size],
      format: DEPTH_FORMAT,
      sampleCount: settings.msaaSamples,
      usage,
    }),
  );
  const bytesPerRow = align(size * 4, 256);
  const readback = track(
    device.createBuffer({
      size: bytesPerRow * size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    }),
  );
  await checkErrors(device, () => lost);

  const background = settings.background;
  const clearValue =
    background === 'transparent'
      ? { r: 0, g: 0, b: 0, a: 0 }
      : { r: background[0] / 255, g: background[1] / 255, b: background[2] / 255, a: 1 };
  const frameData = new Float32Array(FRAME_UNIFORM_BYTES / 4);
  frameData.set(environment.irradianceSH, 48);

  return {
    resolution: size,
    async renderFrame(view: FrameView): Promise<Uint8Array> {
      device.pushErrorScope('out-of-memory');
      device.pushErrorScope('validation');
      frameData.set(view.viewProjection, 0);
      frameData.set(view.model, 16);
      frameData.set([...view.eye, 1], 32);
      frameData.set([...environment.keyDirection, 0], 36);
      frameData.set([...environment.keyColor, 0], 40);
      frameData.set([settings.exposure, environment.levels.length - 1, 0, 0], 44);
      device.queue.writeBuffer(frameBuffer, 0, frameData);

      const encoder = device.createCommandEncoder();
      const pass = encoder.beginRenderPass({
        colorAttachments: [
          {
            view: (multisampled ?? resolved).createView(),
            ...(multisampled ? { resolveTarget: resolved.createView() } : {}),
            clearValue,
            loadOp: 'clear',
            storeOp: multisampled ? 'discard' : 'store',
          },
        ],
        depthStencilAttachment: {
          view: depth.createView(),
          depthClearValue: 1,
          depthLoadOp: 'clear',
          depthStoreOp: 'discard',
        },
      });
      pass.setBindGroup(0, frameBindGroup);
      for (const primitive of drawOrder(primitives, scene.materials, view)) {
        const material = scene.materials[primitive.material]!;
        pass.setPipeline(pipelineFor(material));
        pass.setBindGroup(1, materialGroups[primitive.material]!);
        for (const [slot, buffer] of primitive.buffers.entries()) pass.setVertexBuffer(slot, buffer);
        pass.setIndexBuffer(primitive.indexBuffer, 'uint32');
        pass.drawIndexed(primitive.indexCount);
      }
      pass.end();
      encoder.copyTextureToBuffer({ texture: resolved }, { buffer: readback, bytesPerRow }, [size, size]);
      device.queue.submit([encoder.finish()]);
      await checkErrors(device, () => lost);

      await readback.mapAsync(GPUMapMode.READ);
      const mapped = new Uint8Array(readback.getMappedRange());
      const pixels = new Uint8Array(size * size * 4);
      for (let row = 0; row < size; row++) {
        pixels.set(mapped.subarray(row * bytesPerRow, row * bytesPerRow + size * 4), row * size * 4);
      }
      readback.unmap();
      if (background === 'transparent') unpremultiply(pixels);
      return pixels;
    },
    destroy() {
      for (const resource of owned) resource.destroy();
    },
  };
}

function createPipeline(
  device: GPUDevice,
  module: GPUShaderModule,
  layout: GPUPipelineLayout,
  blend: boolean,
  doubleSided: boolean,
  sampleCount: number,
): GPURenderPipeline {
  const attribute = (location: number, components: number): GPUVertexBufferLayout => ({
    arrayStride: components * 4,
    attributes: [{ shaderLocation: location, offset: 0, format: `float32x${components}` as GPUVertexFormat }],
  });
  return device.createRenderPipeline({
    layout,
    vertex: {
      module,
      entryPoint: 'vertexMain',
      buffers: [
        attribute(0, 3),
        attribute(1, 3),
        attribute(2, 4),
        attribute(3, 2),
        attribute(4, 2),
        attribute(5, 4),
      ],
    },
    fragment: {
      module,
      entryPoint: 'fragmentMain',
      targets: [
        {
          format: COLOR_FORMAT,
          ...(blend
            ? {
                blend: {
                  color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha', operation: 'add' },
                  alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
                },
              }
            : {}),
        },
      ],
    },
    primitive: { topology: 'triangle-list', cullMode: doubleSided ? 'none' : 'back', frontFace: 'ccw' },
    depthStencil: { format: DEPTH_FORMAT, depthWriteEnabled: !blend, depthCompare: 'less' },
    multisample: { count: sampleCount },
  });
}

function drawOrder(primitives: GpuPrimitive[], materials: SceneMaterial[], view: FrameView): GpuPrimitive[] {
  const opaque = primitives.filter((p) => materials[p.material]!.alphaMode !== 'BLEND');
  const blended = primitives.filter((p) => materials[p.material]!.alphaMode === 'BLEND');
  if (blended.length === 0) return opaque;
  const m = view.model;
  const distance = (p: GpuPrimitive) => {
    const [x, y, z] = p.centroid;
    const wx = m[0]! * x + m[4]! * y + m[8]! * z + m[12]! - view.eye[0];
    const wy = m[1]! * x + m[5]! * y + m[9]! * z + m[13]! - view.eye[1];
    const wz = m[2]! * x + m[6]! * y + m[10]! * z + m[14]! - view.eye[2];
    return wx * wx + wy * wy + wz * wz;
  };
  return [...opaque, ...blended.sort((a, b) => distance(b) - distance(a))];
}

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
  return data;
}

function addressMode(wrap: number): GPUAddressMode {
  if (wrap === 33071) return 'clamp-to-edge';
  if (wrap === 33648) return 'mirror-repeat';
  return 'repeat';
}

function solidTexture(device: GPUDevice, rgba: number[], srgb: boolean): GPUTexture {
  const texture = device.createTexture({
    size: [1, 1],
    format: srgb ? 'rgba8unorm-srgb' : 'rgba8unorm',
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
  });
  device.queue.writeTexture({ texture }, new Uint8Array(rgba), { bytesPerRow: 4 }, [1, 1]);
  return texture;
}

/** Decodes an image with sharp and uploads it with a full mip chain (downscaled by libvips). */
async function uploadImage(
  device: GPUDevice,
  data: Uint8Array,
  srgb: boolean,
  maxSize: number,
  name: string,
): Promise<GPUTexture> {
  let decoded: { data: Buffer; info: { width: number; height: number } };
  try {
    const limit = Math.min(maxSize, device.limits.maxTextureDimension2D);
    decoded = await sharp(data)
      .resize({ width: limit, height: limit, fit: 'inside', withoutEnlargement: true })
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
  const mipLevelCount = Math.floor(Math.log2(Math.max(width, height))) + 1;
  const texture = device.createTexture({
    size: [width, height],
    format: srgb ? 'rgba8unorm-srgb' : 'rgba8unorm',
    mipLevelCount,
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
  });
  let level = decoded;
  for (let mipLevel = 0; mipLevel < mipLevelCount; mipLevel++) {
    const w = Math.max(1, width >> mipLevel);
    const h = Math.max(1, height >> mipLevel);
    if (mipLevel > 0) {
      level = await sharp(decoded.data, { raw: { width, height, channels: 4 } })
        .resize(w, h, { fit: 'fill', kernel: 'linear' })
        .raw()
        .toBuffer({ resolveWithObject: true });
    }
    device.queue.writeTexture({ texture, mipLevel }, level.data, { bytesPerRow: w * 4 }, [w, h]);
  }
  return texture;
}

async function checkErrors(device: GPUDevice, lost: () => string | undefined): Promise<void> {
  const validation = await device.popErrorScope();
  const memory = await device.popErrorScope();
  if (memory) {
    throw new RenderError(
      'SHAZAM_RENDER_OUT_OF_MEMORY',
      `the GPU ran out of memory (${memory.message}); lower --resolution or give the Job a larger GPU`,
    );
  }
  if (validation) {
    throw new RenderError('SHAZAM_RENDER_DEVICE_FAILED', `WebGPU rejected a command: ${validation.message}`);
  }
  const reason = lost();
  if (reason) throw new RenderError('SHAZAM_RENDER_DEVICE_FAILED', `the GPU device was lost (${reason})`);
}

function unpremultiply(pixels: Uint8Array): void {
  for (let i = 0; i < pixels.length; i += 4) {
    const a = pixels[i + 3]!;
    if (a === 0 || a === 255) continue;
    const scale = 255 / a;
    pixels[i] = Math.min(255, Math.round(pixels[i]! * scale));
    pixels[i + 1] = Math.min(255, Math.round(pixels[i + 1]! * scale));
    pixels[i + 2] = Math.min(255, Math.round(pixels[i + 2]! * scale));
  }
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}
