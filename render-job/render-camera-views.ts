import type { KubeLogger } from '../lib/kube/logger.ts';
import { silentLogger } from '../lib/kube/logger.ts';
import { type GltfCameraView, gltfCameraView } from './camera/gltf-camera.ts';
import { readGltfCameras } from './camera/read-gltf-cameras.ts';
import { turntableMatrices } from './camera/turntable-matrices.ts';
import { createStudioEnvironment } from './environment/create-studio-environment.ts';
import { RenderError } from './errors.ts';
import { createGpuContext, type GpuBackend, type GpuContext } from './gpu/create-gpu-context.ts';
import { createRenderer } from './gpu/create-renderer.ts';
import type { TurntableSource } from './render-turntable.ts';
import { loadScene } from './scene/load-scene.ts';
import { readModel } from './scene/read-model.ts';
import { parseBackground } from './turntable-settings.ts';

/** Options of {@link renderCameraViews}. */
export interface RenderCameraViewsOptions {
  /** Names of the file's cameras to render, in this order; unset: every camera node of the scene. */
  cameras?: string[];
  /** Side of the square frames, pixels. */
  resolution?: number;
  /** `#rrggbb` or `transparent`. */
  background?: string;
  /** Multisampling (4 as in the turntable, 1 for none). */
  msaaSamples?: 1 | 4;
  /** Dawn backend to ask for. */
  backend?: GpuBackend;
  /** Accept a software adapter when no GPU is found. */
  allowSoftware?: boolean;
  /** An already opened GPU context to reuse (tests, benchmarks); `backend`/`allowSoftware` are then unused. */
  gpu?: GpuContext;
  /** Structured logger (pino's shape). */
  log?: KubeLogger;
}

/** Defaults of {@link RenderCameraViewsOptions}. */
export const RENDER_CAMERA_VIEWS_DEFAULTS = {
  resolution: 1024,
  background: '#ffffff',
  msaaSamples: 4 as 1 | 4,
  backend: 'auto' as GpuBackend,
  allowSoftware: false,
};

/** One frame seen through a camera of the file. */
export interface CameraViewFrame {
  /** The camera's name in the file. */
  camera: string;
  /** The camera as rendered (eye, target, up, frustum, near, far). */
  view: GltfCameraView;
  /** Tightly packed RGBA8, sRGB, straight alpha, `resolution²·4` bytes, row 0 at the top. */
  rgba: Uint8Array;
}

/**
 * Renders a glTF model through the camera nodes the file itself defines, with the turntable's renderer,
 * studio environment, exposure and tone mapping, into square frames. This is how SHAZAM's look is set beside
 * reference renders made from those same cameras (the Khronos 3D Commerce reference renders).
 *
 * Guarantees: frames come back in the order of `cameras` (else scene order); a camera name the file lacks,
 * a file without cameras, or an orthographic camera is a RenderError (SHAZAM_RENDER_INVALID_OPTIONS) naming
 * the cameras it has. Caveats: frames are square, so a camera's `aspectRatio` other than 1 keeps its vertical
 * field of view and sees more or less at the sides.
 *
 * @example
 * ```ts
 * const frames = await renderCameraViews({ bytes, uri: 'Mixer.glb' }, { resolution: 1024, allowSoftware: true });
 * frames.map((f) => f.camera) // ['camera0', 'camera1', 'camera2']
 * ```
 */
export async function renderCameraViews(
  source: TurntableSource,
  options: RenderCameraViewsOptions = {},
): Promise<CameraViewFrame[]> {
  const settings = { ...RENDER_CAMERA_VIEWS_DEFAULTS, ...definedOnly(options) };
  const log = options.log ?? silentLogger;
  if (!/^(#[0-9a-fA-F]{6}|transparent)$/.test(settings.background)) {
    throw new RenderError(
      'SHAZAM_RENDER_INVALID_OPTIONS',
      `background ${settings.background} is neither #rrggbb nor transparent`,
    );
  }
  const document = await readModel({
    bytes: source.bytes,
    name: source.uri,
    ...(source.path ? { path: source.path } : {}),
  });
  const scene = loadScene(document, log);
  const nodes = readGltfCameras(document);
  const names = nodes.map((node) => node.name);
  if (nodes.length === 0) {
    throw new RenderError(
      'SHAZAM_RENDER_INVALID_OPTIONS',
      `${source.uri} defines no camera in its scene: render it as a turntable instead`,
    );
  }
  const chosen = (options.cameras ?? names).map((name) => {
    const node = nodes.find((candidate) => candidate.name === name);
    if (!node) {
      throw new RenderError(
        'SHAZAM_RENDER_INVALID_OPTIONS',
        `${source.uri} has no camera named ${name}; its cameras are ${names.join(', ')}`,
      );
    }
    return { name, view: gltfCameraView(node, { aspect: 1, bounds: scene.bounds }) };
  });

  const context =
    options.gpu ??
    (await createGpuContext({ backend: settings.backend, allowSoftware: settings.allowSoftware }));
  try {
    const renderer = await createRenderer(context, scene, createStudioEnvironment(), {
      resolution: settings.resolution,
      msaaSamples: settings.msaaSamples,
      background: parseBackground(settings.background),
      maxTextureSize: Math.min(2048, 2 ** Math.ceil(Math.log2(settings.resolution))),
    });
    try {
      const frames: CameraViewFrame[] = [];
      for (const { name, view } of chosen) {
        const rgba = await renderer.renderFrame({ ...turntableMatrices(view, 0), eye: view.eye });
        frames.push({ camera: name, view, rgba });
        log.info(
          { camera: name, eye: view.eye, verticalFovDeg: view.verticalFovDeg },
          'Rendered camera view',
        );
      }
      return frames;
    } finally {
      renderer.destroy();
    }
  } finally {
    if (!options.gpu) context.destroy();
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
