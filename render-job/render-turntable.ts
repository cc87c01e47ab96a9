import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { buildDescriptorSet } from '../lib/contracts/descriptors.ts';
import type { RenderFile, RenderFrame, RenderManifest } from '../lib/contracts/render-manifest.ts';
import { DESCRIPTOR_DIMS, DESCRIPTOR_VERSION } from '../lib/image-descriptor/compute-descriptor.ts';
import type { KubeLogger } from '../lib/kube/logger.ts';
import { silentLogger } from '../lib/kube/logger.ts';
import { AUTO_ELEVATION, autoElevationDeg } from './camera/auto-elevation.ts';
import { frameTurntable, type TurntableCamera } from './camera/frame-turntable.ts';
import { turntableMatrices } from './camera/turntable-matrices.ts';
import { createStudioEnvironment } from './environment/create-studio-environment.ts';
import { RenderError } from './errors.ts';
import { createGpuContext, type GpuBackend, type GpuContext } from './gpu/create-gpu-context.ts';
import { createRenderer, type Renderer } from './gpu/create-renderer.ts';
import { buildRenderManifest, MANIFEST_PATHS, round } from './manifest/build-manifest.ts';
import { ENCODE_FRAME_DEFAULTS } from './output/encode-frame.ts';
import { createEncodeStage } from './output/encode-stage.ts';
import { type FrameOutputSettings, writeFrameOutputs } from './output/frame-outputs.ts';
import type { OutputSink } from './output/output-sink.ts';
import { encodeConcurrency, libuvPoolSize, readPodResources } from './runtime/pod-resources.ts';
import { loadScene } from './scene/load-scene.ts';
import { readModel } from './scene/read-model.ts';
import {
  AMAZON_360,
  parseBackground,
  resolveTurntableSettings,
  type TurntableSettings,
  type TurntableSettingsOptions,
} from './turntable-settings.ts';
import { type TurntableViews, turntableViews } from './turntable-views.ts';

/** Options of {@link renderTurntable}: the look of the turntable plus how to run it. */
export interface RenderTurntableOptions extends TurntableSettingsOptions {
  /** Dawn backend to ask for. */
  backend?: GpuBackend;
  /** Accept a software adapter when no GPU is found. */
  allowSoftware?: boolean;
  /** An already opened GPU context to reuse (tests, benchmarks); `backend`/`allowSoftware` are then unused. */
  gpu?: GpuContext;
  /**
   * Frames being encoded and written at once, behind the frame being rendered. Bounds memory: each is one
   * RGBA frame. Unset: one per CPU the process may use, as far as its memory limit allows
   * (`runtime/pod-resources.ts`).
   */
  maxInFlightFrames?: number;
  /** WebP quality (1–100). */
  webpQuality?: number;
  /** Structured logger (pino's shape). */
  log?: KubeLogger;
  /**
   * Called once `manifest.json` is written, while the scene is still uploaded: renders further views framed
   * like the turntable (the reference photos' angle refinement). The renderer is freed when it returns.
   */
  afterRender?: (views: TurntableViews, manifest: RenderManifest) => Promise<void>;
}

/** Defaults of the run options of {@link RenderTurntableOptions}. */
export const RENDER_TURNTABLE_DEFAULTS = {
  backend: 'auto' as GpuBackend,
  allowSoftware: false,
  webpQuality: ENCODE_FRAME_DEFAULTS.webpQuality,
};

/** The model to render: its bytes and where they came from. */
export interface TurntableSource {
  /** GLB bytes (for a `.gltf`, the JSON file's bytes; `path` is then read with its side files). */
  bytes: Uint8Array;
  /** s3:// URI or path, recorded in the manifest. */
  uri: string;
  /** Local path, needed only for a `.gltf` with side files. */
  path?: string;
}

/**
 * Renders a 360° turntable of a glTF model and writes the frames (`360/NNN.webp|png`), `poster.webp`,
 * `descriptors.json` and, last, `manifest.json` through `sink`. Rendering and encoding overlap: while the
 * GPU renders frame k, frames k−1… are encoded by sharp on libuv's threads, as many at once as the
 * process has CPUs (bounded by its memory limit), so a 4K turntable holds a few frames in memory, never all
 * of them.
 *
 * Guarantees: manifest.json is written only after every other file was; failures throw a RenderError with
 * a stable code (see errors.ts). Caveats: a failed run may leave frames without a manifest; readers must
 * treat a prefix without manifest.json as incomplete.
 *
 * @example
 * ```ts
 * const manifest = await renderTurntable({ bytes, uri: 'model.glb' }, directorySink('out'), {
 *   frames: 36, resolution: 1024, allowSoftware: true,
 * });
 * ```
 */
export async function renderTurntable(
  source: TurntableSource,
  sink: OutputSink,
  options: RenderTurntableOptions = {},
): Promise<RenderManifest> {
  const run = { ...RENDER_TURNTABLE_DEFAULTS, ...definedOnly(options) };
  const log = options.log ?? silentLogger;
  const settings = resolveTurntableSettings(options);
  if (settings.overridden.length > 0) {
    log.warn(
      { preset: settings.preset, overridden: settings.overridden },
      'Preset replaced requested settings',
    );
  }
  const startedAt = new Date();

  let mark = performance.now();
  const document = await readModel({
    bytes: source.bytes,
    name: source.uri,
    ...(source.path ? { path: source.path } : {}),
  });
  const scene = loadScene(document, log);
  const loadSeconds = (performance.now() - mark) / 1000;
  log.info(
    { source: source.uri, triangles: scene.triangleCount, primitives: scene.primitives.length, loadSeconds },
    'Loaded model',
  );

  const context =
    options.gpu ?? (await createGpuContext({ backend: run.backend, allowSoftware: run.allowSoftware }));
  log.info({ adapter: context.summary }, 'Opened GPU adapter');
  let renderer: Renderer | undefined;
  try {
    mark = performance.now();
    const elevationDeg = settings.elevationDeg === 'auto' ? autoElevationDeg(scene) : settings.elevationDeg;
    if (settings.elevationDeg === 'auto' && elevationDeg > AUTO_ELEVATION.minDeg) {
      log.info(
        { elevationDeg, from: AUTO_ELEVATION.minDeg },
        'Raised the camera so the top of the product is seen',
      );
    }
    const framing = {
      frames: settings.frames,
      fill: settings.fill,
      requiredFill: settings.requiredFill,
      maxFill: AMAZON_360.maxFill,
    };
    const camera = frameTurntable(scene, { ...framing, elevationDeg });
    if (camera.fill > settings.fill) {
      log.info(
        { fill: settings.fill, raisedTo: round(camera.fill, 4), requiredFill: settings.requiredFill },
        'Tightened the framing so the smallest frame fills what the preset requires',
      );
    }
    renderer = await createRenderer(context, scene, createStudioEnvironment(), {
      resolution: settings.resolution,
      msaaSamples: settings.msaaSamples,
      background: parseBackground(settings.background),
      // A texture finer than the frame is sampled from its smaller mips anyway; uploading it costs time
      // and, on a software rasteriser, cache misses on every sample.
      maxTextureSize: Math.min(2048, 2 ** Math.ceil(Math.log2(settings.resolution))),
    });
    const uploadSeconds = (performance.now() - mark) / 1000;
    log.info({ uploadSeconds, textures: scene.images.length }, 'Uploaded scene');

    const width =
      run.maxInFlightFrames ??
      encodeConcurrency(await readPodResources(), {
        // The RGBA frame, the encoder's working copies, and the 256 px descriptor copy.
        bytesPerFrame: settings.resolution ** 2 * 4 * 3,
        usedBytes: process.memoryUsage.rss(),
      });
    if (width > libuvPoolSize()) {
      log.warn(
        { encodeConcurrency: width, UV_THREADPOOL_SIZE: libuvPoolSize() },
        'libuv runs fewer threads than frames are encoded at once; start the process with UV_THREADPOOL_SIZE set',
      );
    }
    const files: RenderFile[] = [];
    const write = async (path: string, data: Uint8Array, contentType: string) => {
      await sink.write(path, data, contentType);
      const file = { path, bytes: data.byteLength, contentType };
      files.push(file);
      return file;
    };
    const spin = await renderFrames(renderer, camera, settings, width, run.webpQuality, write, log);

    const descriptorSet = buildDescriptorSet(DESCRIPTOR_VERSION, DESCRIPTOR_DIMS, spin.descriptors);
    await write(MANIFEST_PATHS.descriptors, Buffer.from(JSON.stringify(descriptorSet)), 'application/json');

    const manifest = buildRenderManifest({
      source: {
        uri: source.uri,
        bytes: source.bytes.byteLength,
        sha256: createHash('sha256').update(source.bytes).digest('hex'),
      },
      settings: { ...settings, elevationDeg },
      camera,
      adapter: context.summary,
      scene,
      frames: spin.frames,
      timings: {
        startedAt: startedAt.toISOString(),
        completedAt: new Date().toISOString(),
        loadSeconds: round(loadSeconds, 3),
        uploadSeconds: round(uploadSeconds, 3),
        renderSeconds: round(spin.seconds, 3),
        framesPerSecond: round(settings.frames / Math.max(spin.seconds, 1e-9), 3),
        meanFrameRenderMs: round(spin.renderMs / settings.frames, 2),
        meanFrameEncodeMs: round(spin.encodeMs / settings.frames, 2),
        encodeConcurrency: width,
      },
      files,
      renderer: { name: 'shazam-render-job', node: process.version, ...rendererVersions() },
    });
    if (manifest.fillCheck && !manifest.fillCheck.passed) {
      log.warn(
        {
          required: manifest.fillCheck.required,
          min: manifest.fillCheck.min,
          framesMissing: manifest.fillCheck.misses.length,
          worst: manifest.fillCheck.misses.reduce((a, b) => (b.shortBy > a.shortBy ? b : a)),
        },
        'Turntable misses the preset fill: the product is much narrower in some frames than in others',
      );
    }
    await sink.write(
      MANIFEST_PATHS.manifest,
      Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
      'application/json',
    );
    log.info(
      {
        manifest: sink.locate(MANIFEST_PATHS.manifest),
        frames: settings.frames,
        renderSeconds: manifest.timings.renderSeconds,
        framesPerSecond: manifest.timings.framesPerSecond,
        encodeConcurrency: width,
        adapter: context.summary.description || context.summary.device,
      },
      'Rendered turntable',
    );
    if (options.afterRender) {
      await options.afterRender(
        turntableViews(renderer, scene, camera, framing, settings.resolution),
        manifest,
      );
    }
    return manifest;
  } catch (error) {
    if (error instanceof RangeError && /allocation|memory/i.test(error.message)) {
      throw new RenderError(
        'SHAZAM_RENDER_OUT_OF_MEMORY',
        `the process ran out of memory: ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    renderer?.destroy();
    if (!options.gpu) context.destroy();
  }
}

/** What the spin produced. */
interface SpinResult {
  frames: RenderFrame[];
  descriptors: Array<{ index: number; angleDeg: number; vector: Float32Array }>;
  /** Wall time from the first frame's render to the last frame's outputs. */
  seconds: number;
  /** Summed render + read-back time, and summed encode time (overlapping, off the loop). */
  renderMs: number;
  encodeMs: number;
}

/**
 * Renders every frame and hands it to the encode stage: the GPU renders frame k while up to `width`
 * earlier frames are encoded, so the stage, not the frame count, bounds memory.
 */
async function renderFrames(
  renderer: Renderer,
  camera: TurntableCamera,
  settings: TurntableSettings,
  width: number,
  webpQuality: number,
  write: (path: string, data: Uint8Array, contentType: string) => Promise<RenderFile>,
  log: KubeLogger,
): Promise<SpinResult> {
  const output: FrameOutputSettings = {
    size: settings.resolution,
    formats: settings.formats,
    opaque: settings.background !== 'transparent',
    encode: { webpQuality, webpEffort: ENCODE_FRAME_DEFAULTS.webpEffort },
  };
  const frames: RenderFrame[] = [];
  const descriptors: SpinResult['descriptors'] = [];
  let renderMs = 0;
  let encodeMs = 0;
  const stage = createEncodeStage(width);
  const started = performance.now();
  for (const [index, angleDeg] of camera.anglesDeg.entries()) {
    const frameStarted = performance.now();
    const pixels = await renderer.renderFrame({ ...turntableMatrices(camera, angleDeg), eye: camera.eye });
    renderMs += performance.now() - frameStarted;
    await stage.push(async () => {
      const encodeStarted = performance.now();
      const result = await writeFrameOutputs(index, pixels, output, write);
      frames[index] = { index, angleDeg, fill: round(camera.fillPerFrame[index]!, 4), files: result.files };
      descriptors.push({ index, angleDeg, vector: result.descriptor });
      encodeMs += performance.now() - encodeStarted;
      log.debug({ frame: index, of: settings.frames }, 'Wrote frame');
    });
    if ((index + 1) % 12 === 0 || index + 1 === settings.frames) {
      log.info({ framesRendered: index + 1, frames: settings.frames }, 'Rendered frames');
    }
  }
  await stage.drain();
  descriptors.sort((a, b) => a.index - b.index);
  return { frames, descriptors, seconds: (performance.now() - started) / 1000, renderMs, encodeMs };
}

function rendererVersions(): { webgpu: string; sharp: string } {
  const require = createRequire(import.meta.url);
  const version = (name: string) => {
    try {
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      return 'bundled';
    }
  };
  return { webgpu: version('webgpu'), sharp: sharp.versions.sharp ?? version('sharp') };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
