/**
 * The render manifest from what a run produced: pure functions, so the manifest's shape and the fill check
 * are tested without a GPU.
 */
import {
  RENDER_MANIFEST_API_VERSION,
  type RenderAdapter,
  type RenderFile,
  type RenderFillCheck,
  type RenderFrame,
  type RenderManifest,
  type RenderTimings,
} from '../../lib/contracts/render-manifest.ts';
import type { TurntableCamera } from '../camera/frame-turntable.ts';
import type { Scene } from '../scene/scene-types.ts';
import type { TurntableSettings } from '../turntable-settings.ts';

/** Paths of the poster and the descriptors under the output prefix. */
export const MANIFEST_PATHS = {
  poster: 'poster.webp',
  descriptors: 'descriptors.json',
  manifest: 'manifest.json',
} as const;

/** Everything {@link buildRenderManifest} records. */
export interface ManifestInput {
  source: { uri: string; bytes: number; sha256: string };
  /** The settings with the elevation resolved to the degrees the camera used. */
  settings: TurntableSettings & { elevationDeg: number };
  camera: TurntableCamera;
  adapter: RenderAdapter;
  scene: Pick<
    Scene,
    'triangleCount' | 'vertexCount' | 'primitives' | 'materials' | 'images' | 'extensionsUsed' | 'bounds'
  >;
  frames: RenderFrame[];
  timings: RenderTimings;
  files: RenderFile[];
  renderer: RenderManifest['renderer'];
}

/**
 * Builds the manifest: settings as resolved (the fill the framing used), the camera, the adapter, scene
 * statistics, frames in order, the preset's fill check and every file sorted by path. Pure.
 */
export function buildRenderManifest(input: ManifestInput): RenderManifest {
  const { settings, camera, scene } = input;
  return {
    apiVersion: RENDER_MANIFEST_API_VERSION,
    source: input.source,
    settings: {
      frames: settings.frames,
      resolution: settings.resolution,
      elevationDeg: settings.elevationDeg,
      background: settings.background,
      preset: settings.preset,
      formats: [...settings.formats],
      msaaSamples: settings.msaaSamples,
      fill: round(camera.fill, 4),
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
    adapter: { ...input.adapter },
    scene: {
      triangles: scene.triangleCount,
      vertices: scene.vertexCount,
      primitives: scene.primitives.length,
      materials: scene.materials.length,
      textures: scene.images.length,
      extensionsUsed: scene.extensionsUsed,
      bounds: scene.bounds,
    },
    frames: input.frames,
    poster: MANIFEST_PATHS.poster,
    descriptors: MANIFEST_PATHS.descriptors,
    fillCheck: checkFill(camera, settings.requiredFill),
    timings: input.timings,
    files: [...input.files].sort((a, b) => a.path.localeCompare(b.path)),
    renderer: input.renderer,
  };
}

/**
 * The preset's fill check: the smallest and largest frame fill against `required`, and every frame under
 * it with its shortfall (rounded to 4 digits, as the frames' fills are). Null when nothing is required.
 * Pure.
 *
 * @example
 * ```ts
 * checkFill({ fillPerFrame: [0.9, 0.8], anglesDeg: [0, 180] }, 0.85)
 * // → { required: 0.85, min: 0.8, max: 0.9, passed: false, misses: [{ frame: 1, angleDeg: 180, fill: 0.8, shortBy: 0.05 }] }
 * ```
 */
export function checkFill(
  camera: Pick<TurntableCamera, 'fillPerFrame' | 'anglesDeg'>,
  required: number | null,
): RenderFillCheck | null {
  if (required === null) return null;
  const fills = camera.fillPerFrame.map((fill) => round(fill, 4));
  const misses = fills.flatMap((fill, frame) =>
    fill < required
      ? [{ frame, angleDeg: camera.anglesDeg[frame]!, fill, shortBy: round(required - fill, 4) }]
      : [],
  );
  return {
    required,
    min: Math.min(...fills),
    max: Math.max(...fills),
    passed: misses.length === 0,
    misses: misses.map((miss) => ({ ...miss, shortBy: Math.max(miss.shortBy, 0.0001) })),
  };
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
