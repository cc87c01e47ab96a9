import type { StudioEnvironment } from '../environment/create-studio-environment.ts';
import { RenderError } from '../errors.ts';
import type { Scene, SceneMaterial } from '../scene/scene-types.ts';
import type { GpuContext } from './create-gpu-context.ts';
import { createFrameTarget } from './frame-target.ts';
import { checkErrors, pushErrorScopes, watchDeviceLoss } from './gpu-errors.ts';
import { createPipelines, isTranslucent } from './pipelines.ts';
import {
  FRAME_UNIFORM_BYTES,
  type GpuPrimitive,
  type Track,
  uploadEnvironment,
  uploadMaterials,
  uploadPrimitives,
} from './upload-scene.ts';

/** Options of {@link createRenderer}. */
export interface RendererOptions {
  /** Frame width and height in pixels (square frames). */
  resolution?: number;
  /** Multisample count: 1 or 4. */
  msaaSamples?: 1 | 4;
  /** Background as linear-free sRGB bytes `[r, g, b]`, or `transparent`. */
  background?: [number, number, number] | 'transparent';
  /**
   * Exposure multiplier applied before tone mapping. The default, 1.3, is what <model-viewer> applies to
   * its neutral environment under PBR Neutral tone mapping (its "commerce exposure"), the pairing the
   * studio environment reproduces.
   */
  exposure?: number;
  /** Largest texture edge uploaded; bigger textures are downscaled (the frames never need more). */
  maxTextureSize?: number;
}

/** Defaults of {@link RendererOptions}. */
export const RENDERER_DEFAULTS: Required<RendererOptions> = {
  resolution: 1024,
  msaaSamples: 4,
  background: 'transparent',
  exposure: 1.3,
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
  const lost = watchDeviceLoss(device);
  pushErrorScopes(device);
  const owned: Array<{ destroy(): void }> = [];
  const track: Track = (resource) => {
    owned.push(resource);
    return resource;
  };

  const pipelines = createPipelines(device, settings.msaaSamples);
  const { frameBuffer, frameBindGroup } = uploadEnvironment(device, environment, pipelines, track);
  const materialGroups = await uploadMaterials(device, scene, pipelines, settings.maxTextureSize, track);
  const primitives = uploadPrimitives(device, scene, track);
  const target = createFrameTarget(device, size, settings.msaaSamples, settings.background, track);
  await checkErrors(device, lost);

  const frameData = new Float32Array(FRAME_UNIFORM_BYTES / 4);
  frameData.set(environment.irradianceSH, 40);

  return {
    resolution: size,
    async renderFrame(view: FrameView): Promise<Uint8Array> {
      pushErrorScopes(device);
      frameData.set(view.viewProjection, 0);
      frameData.set(view.model, 16);
      frameData.set([...view.eye, 1], 32);
      frameData.set([settings.exposure, environment.levels.length - 1, 0, 0], 36);
      device.queue.writeBuffer(frameBuffer, 0, frameData);

      const encoder = device.createCommandEncoder();
      const pass = target.beginPass(encoder);
      pass.setBindGroup(0, frameBindGroup);
      for (const primitive of drawOrder(primitives, scene.materials, view)) {
        pass.setPipeline(pipelines.pipelineFor(scene.materials[primitive.material]!));
        pass.setBindGroup(1, materialGroups[primitive.material]!);
        for (const [slot, buffer] of primitive.buffers.entries()) pass.setVertexBuffer(slot, buffer);
        pass.setIndexBuffer(primitive.indexBuffer, 'uint32');
        pass.drawIndexed(primitive.indexCount);
      }
      pass.end();
      target.copyToReadback(encoder);
      device.queue.submit([encoder.finish()]);
      await checkErrors(device, lost);
      return target.readPixels();
    },
    destroy() {
      for (const resource of owned) resource.destroy();
    },
  };
}

/**
 * Opaque and masked primitives first, then blended and transmissive ones (which show what is behind them)
 * from the farthest to the nearest.
 */
function drawOrder(primitives: GpuPrimitive[], materials: SceneMaterial[], view: FrameView): GpuPrimitive[] {
  const opaque = primitives.filter((p) => !isTranslucent(materials[p.material]!));
  const blended = primitives.filter((p) => isTranslucent(materials[p.material]!));
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
