/**
 * The bind group layouts and render pipelines of the PBR shader: one pipeline per (blend, mask,
 * double-sided) combination, created on first use; transmissive materials blend premultiplied.
 */
import type { SceneMaterial } from '../scene/scene-types.ts';
import { pbrShader } from './pbr-shader.ts';

/** Colour target format (compatibility-mode devices cannot always render to sRGB formats). */
export const COLOR_FORMAT: GPUTextureFormat = 'rgba8unorm';
/** Depth target format. */
export const DEPTH_FORMAT: GPUTextureFormat = 'depth24plus';

/** The layouts and the pipeline for a material. */
export interface Pipelines {
  /** Group 0: frame uniforms, environment map and its sampler. */
  frameLayout: GPUBindGroupLayout;
  /** Group 1: material uniforms, five textures and their samplers. */
  materialLayout: GPUBindGroupLayout;
  /** The pipeline that draws `material`. */
  pipelineFor(material: SceneMaterial): GPURenderPipeline;
}

/** Compiles the shader variants and creates the layouts; pipelines follow lazily per material kind. */
export function createPipelines(device: GPUDevice, sampleCount: number): Pipelines {
  const modules = {
    opaque: device.createShaderModule({ code: pbrShader({ alphaMask: false, transmission: false }) }),
    masked: device.createShaderModule({ code: pbrShader({ alphaMask: true, transmission: false }) }),
    transmissive: device.createShaderModule({ code: pbrShader({ alphaMask: false, transmission: true }) }),
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
  const layout = device.createPipelineLayout({ bindGroupLayouts: [frameLayout, materialLayout] });
  const pipelines = new Map<string, GPURenderPipeline>();
  return {
    frameLayout,
    materialLayout,
    pipelineFor(material: SceneMaterial): GPURenderPipeline {
      const transmissive = material.transmission > 0 && !material.unlit;
      const blend: Blend = transmissive
        ? 'premultiplied'
        : material.alphaMode === 'BLEND'
          ? 'straight'
          : 'none';
      const masked = material.alphaMode === 'MASK' && !transmissive;
      const key = `${blend}-${masked}-${material.doubleSided}`;
      let pipeline = pipelines.get(key);
      if (!pipeline) {
        const module = transmissive ? modules.transmissive : masked ? modules.masked : modules.opaque;
        pipeline = createPipeline(device, module, layout, blend, material.doubleSided, sampleCount);
        pipelines.set(key, pipeline);
      }
      return pipeline;
    },
  };
}

/** True for materials drawn after the opaque ones, back to front: alpha-blended or transmissive. */
export function isTranslucent(material: SceneMaterial): boolean {
  return material.alphaMode === 'BLEND' || (material.transmission > 0 && !material.unlit);
}

/** How a pipeline blends: not at all, straight alpha, or premultiplied (transmission). */
type Blend = 'none' | 'straight' | 'premultiplied';

const BLEND_STATES: Record<Exclude<Blend, 'none'>, GPUBlendState> = {
  straight: {
    color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha', operation: 'add' },
    alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
  },
  premultiplied: {
    color: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
    alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
  },
};

function createPipeline(
  device: GPUDevice,
  module: GPUShaderModule,
  layout: GPUPipelineLayout,
  blend: Blend,
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
          ...(blend === 'none' ? {} : { blend: BLEND_STATES[blend] }),
        },
      ],
    },
    primitive: { topology: 'triangle-list', cullMode: doubleSided ? 'none' : 'back', frontFace: 'ccw' },
    depthStencil: { format: DEPTH_FORMAT, depthWriteEnabled: blend === 'none', depthCompare: 'less' },
    multisample: { count: sampleCount },
  });
}
