import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { buildDescriptorSet } from '../lib/contracts/descriptors.ts';
import {
  RENDER_MANIFEST_API_VERSION,
  type RenderFile,
  type RenderFrame,
  type RenderManifest,
} from '../lib/contracts/render-manifest.ts';
import {
  computeDescriptor,
  DESCRIPTOR_DIMS,
  DESCRIPTOR_VERSION,
} from '../lib/image-descriptor/compute-descriptor.ts';
import type { KubeLogger } from '../lib/kube/logger.ts';
import { silentLogger } from '../lib/kube/logger.ts';
import { frameFileName } from '../lib/storage/layout.ts';
import { frameTurntable } from './camera/frame-turntable.ts';
import { turntableMatrices } from './camera/turntable-matrices.ts';
import { createStudioEnvironment } from './environment/create-studio-environment.ts';
import { RenderError } from './errors.ts';
import { createGpuContext, type GpuBackend, type GpuContext } from './gpu/create-gpu-context.ts';
import { createRenderer } from './gpu/create-renderer.ts';
import { encodeFrame } from './output/encode-frame.ts';
import type { OutputSink } from './output/output-sink.ts';
import { loadScene } from './scene/load-scene.ts';
import { readModel } from './scene/read-model.ts';
import {
  parseBackground,
  resolveTurntableSettings,
  type TurntableSettingsOptions,
} from './turntable-settings.ts';

/** Options of {@link renderTurntable}: the look of the turntable plus how to run it. */
export interface RenderTurntableOptions extends TurntableSettingsOptions {
  /** Dawn backend to ask for. */
  backend?: GpuBackend;
  /** Accept a software adapter when no GPU is found. */
  allowSoftware?: boolean;
  /** An already opened GPU context to reuse (tests, benchmarks); `backend`/`allowSoftware` are then unused. */
  gpu?: GpuContext;
  /** Frames being encoded and written at once, behind the frame being rendered. Bounds memory: each is one RGBA frame. */
  maxInFlightFrames?: number;
  /** WebP quality (1–100). */
  webpQuality?: number;
  /** Structured logger (pino's shape). */
  log?: KubeLogger;
}

/** Defaults of the run options of {@link RenderTurntableOptions}. */
export const RENDER_TURNTABLE_DEFAULTS = {
  backend: 'auto' as GpuBackend,
  allowSoftware: false,
  maxInFlightFrames: 2,
  webpQuality: 90,
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

const POSTER_PATH = 'poster.webp';
const DESCRIPTORS_PATH = 'descriptors.json';
const MANIFEST_PATH = 'manifest.json';
const DESCRIPTOR_SIZE = 256;

/**
 * Renders a 360° turntable of a glTF model and writes the frames (`360/NNN.webp|png`), `poster.webp`,
 * `descriptors.json` and, last, `manifest.json` through `sink`. Rendering and encoding overlap: while the
 * GPU renders frame k, frames k−1… are encoded by sharp on libuv's threads, at most `maxInFlightFrames`
 * of them, so a 4K turntable holds a few frames in memory, never all of them.
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
  const sourceName = source.uri;

  let mark = performance.now();
  const document = await readModel({
    bytes: source.bytes,
    name: sourceName,
    ...(source.path ? { path: source.path } : {}),
  });
  const scene = loadScene(document);
  const loadSeconds = (performance.now() - mark) / 1000;
  log.info(
    { source: source.uri, triangles: scene.triangleCount, primitives: scene.primitives.length, loadSeconds },
    'Loaded model',
  );

  const context =
    options.gpu ?? (await createGpuContext({ backend: run.backend, allowSoftware: run.allowSoftware }));
  log.info({ adapter: context.summary }, 'Opened GPU adapter');
  const files: RenderFile[] = [];
  try {
    mark = performance.now();
    const camera = frameTurntable(scene, {
      frames: settings.frames,
      elevationDeg: settings.elevationDeg,
      fill: settings.fill,
    });
    const renderer = await createRenderer(context, scene, createStudioEnvironment(), {
      resolution: settings.resolution,
      msaaSamples: settings.msaaSamples,
      background: parseBackground(settings.background),
      // A texture finer than the frame is sampled from its smaller mips anyway; uploading it costs time
      // and, on a software rasteriser, cache misses on every sample.
      maxTextureSize: Math.min(2048, 2 ** Math.ceil(Math.log2(settings.resolution))),
    });
    const uploadSeconds = (performance.now() - mark) / 1000;
    log.info({ uploadSeconds, textures: scene.images.length }, 'Uploaded scene');

    const write = async (path: string, data: Uint8Array, contentType: string) => {
      await sink.write(path, data, contentType);
      files.push({ path, bytes: data.byteLength, contentType });
    };
    const size = settings.resolution;
    const frames: RenderFrame[] = [];
    const vectors: Array<{ index: number; angleDeg: number; vector: Float32Array }> = [];
    let renderMs = 0;
    let encodeMs = 0;

    const finishFrame = async (index: number, pixels: Uint8Array) => {
      const started = performance.now();
      const frame: RenderFrame = {
        index,
        angleDeg: camera.anglesDeg[index]!,
        fill: round(camera.fillPerFrame[index]!, 4),
        files: {},
      };
      for (const format of settings.formats) {
        const bytes = await encodeFrame(pixels, size, format, { webpQuality: run.webpQuality });
        const path = `360/${frameFileName(index, format)}`;
        await write(path, bytes, `image/${format}`);
        frame.files[format] = path;
        if (index === 0 && format === 'webp') await write(POSTER_PATH, bytes, 'image/webp');
      }
      if (index === 0 && !settings.formats.includes('webp')) {
        await write(
          POSTER_PATH,
          await encodeFrame(pixels, size, 'webp', { webpQuality: run.webpQuality }),
          'image/webp',
        );
      }
      vectors.push({ index, angleDeg: frame.angleDeg, vector: await describe(pixels, size) });
      frames[index] = frame;
      encodeMs += performance.now() - started;
      log.debug({ frame: index, of: settings.frames }, 'Wrote frame');
    };

    const pipeline = boundedPipeline(run.maxInFlightFrames);
    const renderStarted = performance.now();
    try {
      for (const [index, angleDeg] of camera.anglesDeg.entries()) {
        const frameStarted = performance.now();
        const pixels = await renderer.renderFrame({
          ...turntableMatrices(camera, angleDeg),
          eye: camera.eye,
        });
        renderMs += performance.now() - frameStarted;
        await pipeline.push(() => finishFrame(index, pixels));
        if ((index + 1) % 12 === 0 || index + 1 === settings.frames) {
          log.info({ framesRendered: index + 1, frames: settings.frames }, 'Rendered frames');
        }
      }
      await pipeline.drain();
    } finally {
      renderer.destroy();
    }
    const renderSeconds = (performance.now() - renderStarted) / 1000;

    vectors.sort((a, b) => a.index - b.index);
    const descriptorSet = buildDescriptorSet(DESCRIPTOR_VERSION, DESCRIPTOR_DIMS, vectors);
    await write(DESCRIPTORS_PATH, Buffer.from(JSON.stringify(descriptorSet)), 'application/json');

    const minFill = Math.min(...camera.fillPerFrame);
    const fillCheck =
      settings.requiredFill === null
        ? null
        : {
            required: settings.requiredFill,
            min: round(minFill, 4),
            passed: minFill >= settings.requiredFill,
          };
    if (fillCheck && !fillCheck.passed) {
      log.warn(
        { ...fillCheck, worstFrame: camera.fillPerFrame.indexOf(minFill) },
        'Turntable misses the preset fill: the product is much narrower in some frames than in others',
      );
    }
    const manifest: RenderManifest = {
      apiVersion: RENDER_MANIFEST_API_VERSION,
      source: {
        uri: source.uri,
        bytes: source.bytes.byteLength,
        sha256: createHash('sha256').update(source.bytes).digest('hex'),
      },
      settings: {
        frames: settings.frames,
        resolution: settings.resolution,
        elevationDeg: settings.elevationDeg,
        background: settings.background,
        preset: settings.preset,
        formats: settings.formats,
        msaaSamples: settings.msaaSamples,
        fill: settings.fill,
      },
      camera: {
        eye: camera.eye,
        target: camera.target,
        up: camera.up,
        frustum: camera.frustum,
        near: camera.near,
        far: camera.far,
        verticalFovDeg: camera.verticalFovDeg,
        axisOrigin: camera.axisOrigin,
      },
      adapter: { ...context.summary },
      scene: {
        triangles: scene.triangleCount,
        vertices: scene.vertexCount,
        primitives: scene.primitives.length,
        materials: scene.materials.length,
        textures: scene.images.length,
        extensionsUsed: scene.extensionsUsed,
        bounds: scene.bounds,
      },
      frames,
      poster: POSTER_PATH,
      descriptors: DESCRIPTORS_PATH,
      fillCheck,
      timings: {
        startedAt: startedAt.toISOString(),
        completedAt: new Date().toISOString(),
        loadSeconds: round(loadSeconds, 3),
        uploadSeconds: round(uploadSeconds, 3),
        renderSeconds: round(renderSeconds, 3),
        framesPerSecond: round(settings.frames / Math.max(renderSeconds, 1e-9), 3),
        meanFrameRenderMs: round(renderMs / settings.frames, 2),
        meanFrameEncodeMs: round(encodeMs / settings.frames, 2),
      },
      files: [...files].sort((a, b) => a.path.localeCompare(b.path)),
      renderer: { name: 'shazam-render-job', node: process.version, ...rendererVersions() },
    };
    await sink.write(
      MANIFEST_PATH,
      Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
      'application/json',
    );
    log.info(
      {
        manifest: sink.locate(MANIFEST_PATH),
        frames: settings.frames,
        renderSeconds: manifest.timings.renderSeconds,
        framesPerSecond: manifest.timings.framesPerSecond,
        adapter: context.summary.description || context.summary.device,
      },
      'Rendered turntable',
    );
    return manifest;
  } catch (error) {
    if (error instanceof RangeError && /allocation|memory/i.test(error.message)) {
      throw new RenderError(
        'SHAZAM_RENDER_OUT_OF_MEMORY',
        `the process ran out of memory: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    if (!options.gpu) context.destroy();
  }
}

/** The descriptor of a frame: composited on white (as product photos are) and downscaled first. */
async function describe(pixels: Uint8Array, size: number): Promise<Float32Array> {
  const target = Math.min(size, DESCRIPTOR_SIZE);
  const { data, info } = await sharp(pixels, { raw: { width: size, height: size, channels: 4 } })
    .flatten({ background: '#ffffff' })
    .resize(target, target)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return computeDescriptor(
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    info.width,
    info.height,
  );
}

/**
 * Runs at most `limit` tasks at once; `push` waits for a free slot, so the producer (the render loop) is
 * slowed to the consumers' pace instead of piling frames up. The first failure is rethrown.
 */
function boundedPipeline(limit: number) {
  const running = new Set<Promise<void>>();
  let failure: unknown;
  let failed = false;
  const check = () => {
    if (failed) throw failure;
  };
  return {
    async push(task: () => Promise<void>): Promise<void> {
      check();
      while (running.size >= limit) {
        await Promise.race(running);
        check();
      }
      const promise: Promise<void> = task()
        .catch((error: unknown) => {
          if (!failed) {
            failed = true;
            failure = error;
          }
        })
        .finally(() => running.delete(promise));
      running.add(promise);
    },
    async drain(): Promise<void> {
      await Promise.all(running);
      check();
    },
  };
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

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
