import { create, globals } from 'webgpu';
import { RenderError } from '../errors.ts';

/** Which Dawn backend to ask for. `auto` tries Vulkan (a real GPU) first, then OpenGL ES (software). */
export type GpuBackend = 'auto' | 'vulkan' | 'opengles';

/** Options of {@link createGpuContext}. */
export interface GpuContextOptions {
  /** Backend to use. */
  backend?: GpuBackend;
  /** Accept a software adapter (llvmpipe, lavapipe, SwiftShader) when no GPU is found. */
  allowSoftware?: boolean;
}

/** Defaults of {@link GpuContextOptions}: any backend, and a GPU is required. */
export const GPU_CONTEXT_DEFAULTS: Required<GpuContextOptions> = {
  backend: 'auto',
  allowSoftware: false,
};

/** What rendered a turntable, for logs and the manifest. */
export interface AdapterSummary {
  backend: 'vulkan' | 'opengles';
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for a CPU rasteriser. */
  software: boolean;
  /** `compatibility` on the OpenGL ES path, `core` on Vulkan. */
  featureLevel: 'core' | 'compatibility';
}

/** A WebGPU device and what it runs on. */
export interface GpuContext {
  /**
   * Dawn's GPU object. It must stay referenced for as long as the device is used: when V8 collects it
   * Dawn tears the instance down under the device (crashes or hangs in `ProcessEvents`).
   */
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly summary: AdapterSummary;
  /** Releases the device. */
  destroy(): void;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

/**
 * Opens a WebGPU device through Dawn. With `auto`, Vulkan is tried first (NVIDIA's driver on a GPU node)
 * and Dawn's OpenGL ES backend second (Mesa llvmpipe on machines without a GPU, which needs
 * `EGL_PLATFORM=surfaceless`, set here when unset). A software adapter is refused unless `allowSoftware`.
 *
 * @example
 * ```ts
 * const context = await createGpuContext({ backend: 'auto', allowSoftware: true });
 * console.log(context.summary.description);
 * ```
 */
export async function createGpuContext(options: GpuContextOptions = {}): Promise<GpuContext> {
  const settings = { ...GPU_CONTEXT_DEFAULTS, ...options };
  // Dawn's object constructors (GPUBufferUsage, …) must be globals before any WebGPU call.
  Object.assign(globalThis, globals);
  process.env.EGL_PLATFORM ??= 'surfaceless';

  const attempts: Array<'vulkan' | 'opengles'> =
    settings.backend === 'auto' ? ['vulkan', 'opengles'] : [settings.backend];
  const tried: string[] = [];
  let softwareVulkan: (() => Promise<GpuContext>) | undefined;
  for (const backend of attempts) {
    const gpu = create([`backend=${backend}`]) as GPU;
    const featureLevel = backend === 'opengles' ? 'compatibility' : 'core';
    let adapter: GPUAdapter | null;
    try {
      adapter = await gpu.requestAdapter({ featureLevel, powerPreference: 'high-performance' });
    } catch (error) {
      tried.push(`${backend}: ${(error as Error).message}`);
      continue;
    }
    if (!adapter) {
      tried.push(`${backend}: no adapter`);
      continue;
    }
    const found = adapter;
    const summary = summarize(found, backend, featureLevel);
    if (summary.software && !settings.allowSoftware) {
      tried.push(`${backend}: only the software adapter "${summary.description || summary.device}"`);
      continue;
    }
    // With auto, a software Vulkan (lavapipe) is the last resort: llvmpipe through OpenGL ES is the tested path.
    if (summary.software && backend === 'vulkan' && settings.backend === 'auto') {
      softwareVulkan = () => openDevice(gpu, found, summary);
      continue;
    }
    try {
      return await openDevice(gpu, found, summary);
    } catch (error) {
      tried.push(`${backend}: ${(error as Error).message}`);
    }
  }
  if (softwareVulkan) return softwareVulkan();
  throw new RenderError(
    'SHAZAM_RENDER_GPU_UNAVAILABLE',
    `no usable WebGPU adapter (${tried.join('; ')}). On a GPU node check the NVIDIA driver and the ` +
      'nvidia.com/gpu resource; without a GPU pass --allow-software (needs Debian libegl1 libgles2 ' +
      'libegl-mesa0 libgl1-mesa-dri, and libEGL.so: libegl-dev or a link to libEGL.so.1)',
  );
}

async function openDevice(gpu: GPU, adapter: GPUAdapter, summary: AdapterSummary): Promise<GpuContext> {
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxTextureDimension2D: adapter.limits.maxTextureDimension2D,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return { gpu, adapter, device, summary, destroy: () => device.destroy() };
}

function summarize(
  adapter: GPUAdapter,
  backend: 'vulkan' | 'opengles',
  featureLevel: 'core' | 'compatibility',
) {
  const info = adapter.info;
  const summary: AdapterSummary = {
    backend,
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    software: false,
    featureLevel,
  };
  const isFallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  summary.software =
    isFallback ||
    SOFTWARE_NAMES.test(`${summary.vendor} ${summary.architecture} ${summary.device} ${summary.description}`);
  return summary;
}
