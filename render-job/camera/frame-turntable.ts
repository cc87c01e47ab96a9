import type { Bounds, Scene } from '../scene/scene-types.ts';
import { lookAt, multiply, rotationYAbout, type Vec3 } from './mat4.ts';

/** Options of {@link frameTurntable}. */
export interface FrameTurntableOptions {
  /** Number of frames around the full turn. */
  frames?: number;
  /** Camera elevation above the horizon, degrees. */
  elevationDeg?: number;
  /** Share of the frame the product's largest extent fills in the frame where it is largest (0–1). */
  fill?: number;
  /** Camera distance as a multiple of the product's bounding radius (sets the perspective strength). */
  distanceInRadii?: number;
  /**
   * Share every frame must fill, or null. When the smallest frame misses it at `fill`, the framing is
   * tightened (never past `maxFill`, so nothing is cut) until it meets it or reaches `maxFill`.
   */
  requiredFill?: number | null;
  /** The tightest framing allowed when meeting `requiredFill` (share of the frame in the largest frame). */
  maxFill?: number;
}

/** Defaults of {@link FrameTurntableOptions}. */
export const FRAME_TURNTABLE_DEFAULTS: Required<FrameTurntableOptions> = {
  frames: 36,
  elevationDeg: 15,
  fill: 0.9,
  distanceInRadii: 3,
  requiredFill: null,
  maxFill: 0.98,
};

/**
 * The fixed camera of a turntable and how the product turns under it. The projection is an off-axis
 * frustum given at unit distance in view space (`left`…`top` are tangents), so the product is centred
 * in the frame even when perspective makes its top and bottom project unevenly.
 */
export interface TurntableCamera {
  eye: Vec3;
  target: Vec3;
  up: Vec3;
  /** View-space frustum window at distance 1: x right, y up. */
  frustum: { left: number; right: number; bottom: number; top: number };
  near: number;
  far: number;
  /** Equivalent vertical field of view, degrees (for people; the frustum is authoritative). */
  verticalFovDeg: number;
  /** A point of the vertical rotation axis; frame k turns the product by k·360/N about it, counter-clockwise. */
  axisOrigin: Vec3;
  /** Turntable angle of each frame, degrees. */
  anglesDeg: number[];
  /** Share of the frame the product's largest extent fills, per frame (0–1). */
  fillPerFrame: number[];
  /** The fill the framing used in the largest frame: `fill`, or more when raised to meet `requiredFill`. */
  fill: number;
}

/**
 * Places the camera for a turntable: in front of the product (+Z), raised by the elevation, looking at the
 * centre of its bounds, and sized so that the product in every one of the N orientations lies inside the
 * frame, its largest extent filling `fill` of the frame in the orientation where it is largest. Frame 0
 * shows the product's front (+Z) facing the camera; later frames turn it counter-clockwise seen from above.
 *
 * Guarantees: every vertex of every frame projects inside the frame (the product is never cut).
 *
 * @example
 * ```ts
 * const camera = frameTurntable(scene, { frames: 72, elevationDeg: 15 });
 * ```
 */
export function frameTurntable(
  scene: Pick<Scene, 'primitives' | 'bounds'>,
  options: FrameTurntableOptions = {},
): TurntableCamera {
  const settings = { ...FRAME_TURNTABLE_DEFAULTS, ...options };
  const center = boundsCenter(scene.bounds);
  let radius = 0;
  for (const primitive of scene.primitives) {
    const p = primitive.positions;
    for (let i = 0; i < p.length; i += 3) {
      radius = Math.max(radius, Math.hypot(p[i]! - center[0], p[i + 1]! - center[1], p[i + 2]! - center[2]));
    }
  }
  radius = Math.max(radius, 1e-6);
  const distance = radius * settings.distanceInRadii;
  const elevation = (settings.elevationDeg * Math.PI) / 180;
  const eye: Vec3 = [
    center[0],
    center[1] + distance * Math.sin(elevation),
    center[2] + distance * Math.cos(elevation),
  ];
  const up: Vec3 = Math.abs(settings.elevationDeg) > 89.9 ? [0, 0, -1] : [0, 1, 0];
  const view = lookAt(eye, center, up);
  const anglesDeg = Array.from({ length: settings.frames }, (_, k) => (k * 360) / settings.frames);

  const extents = anglesDeg.map((angle) => {
    const m = multiply(view, rotationYAbout((angle * Math.PI) / 180, center));
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (const primitive of scene.primitives) {
      const p = primitive.positions;
      for (let i = 0; i < p.length; i += 3) {
        const x = p[i]!;
        const y = p[i + 1]!;
        const z = p[i + 2]!;
        const vx = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
        const vy = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
        const vz = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
        const tx = vx / -vz;
        const ty = vy / -vz;
        if (tx < minX) minX = tx;
        if (tx > maxX) maxX = tx;
        if (ty < minY) minY = ty;
        if (ty > maxY) maxY = ty;
      }
    }
    return { minX, maxX, minY, maxY };
  });
  const minX = Math.min(...extents.map((e) => e.minX));
  const maxX = Math.max(...extents.map((e) => e.maxX));
  const minY = Math.min(...extents.map((e) => e.minY));
  const maxY = Math.max(...extents.map((e) => e.maxY));
  const midX = (minX + maxX) / 2;
  const midY = (minY + maxY) / 2;
  const union = Math.max(maxX - minX, maxY - minY);
  const largest = extents.map((e) => Math.max(e.maxX - e.minX, e.maxY - e.minY));
  const fill = fillFor(settings, Math.min(...largest) / union);
  const half = union / 2 / fill;
  const frustum = { left: midX - half, right: midX + half, bottom: midY - half, top: midY + half };
  const fillPerFrame = largest.map((extent) => extent / (2 * half));
  const camera: TurntableCamera = {
    eye,
    target: center,
    up,
    frustum,
    near: Math.max(distance - radius * 1.05, distance * 0.01),
    far: distance + radius * 1.05,
    verticalFovDeg: (2 * Math.atan(half) * 180) / Math.PI,
    axisOrigin: center,
    anglesDeg,
    fillPerFrame,
    fill,
  };
  return camera;
}

/**
 * The framing's fill: `fill`, raised just enough for the smallest frame to reach `requiredFill` (a frame's
 * fill is `fill × smallestOverUnion` for the smallest), but never past `maxFill`. Pure.
 */
export function fillFor(
  settings: Pick<Required<FrameTurntableOptions>, 'fill' | 'requiredFill' | 'maxFill'>,
  smallestOverUnion: number,
): number {
  const { fill, requiredFill, maxFill } = settings;
  if (requiredFill === null || fill * smallestOverUnion >= requiredFill) return fill;
  return Math.max(fill, Math.min(maxFill, requiredFill / smallestOverUnion));
}

function boundsCenter(bounds: Bounds): Vec3 {
  return [
    (bounds.min[0] + bounds.max[0]) / 2,
    (bounds.min[1] + bounds.max[1]) / 2,
    (bounds.min[2] + bounds.max[2]) / 2,
  ];
}
