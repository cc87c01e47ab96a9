/**
 * The default camera height of a turntable: high enough that the top of the product is seen. A camera at
 * the API's 15° sits below the top of a tall product (an open barrel, a vase, a bottle), whose lid and
 * opening then never show in the spin; a flat or round product is seen well from 15°.
 */
import { RENDER_DEFAULTS } from '../../crds/api.ts';
import type { Scene } from '../scene/scene-types.ts';

/** Bounds of the automatic elevation and how steeply the top must be seen. */
export const AUTO_ELEVATION = {
  /** Never lower than the API's default elevation. */
  minDeg: RENDER_DEFAULTS.elevation,
  /** Never higher than Amazon's 360° spec allows (10–30°). */
  maxDeg: 30,
  /** The line of sight to the centre of the product's top descends at least this much. */
  topViewDeg: 10,
} as const;

/**
 * The elevation at which the camera, at `distanceInRadii` bounding radii from the bounds centre, looks down
 * on the centre of the top of the bounds at {@link AUTO_ELEVATION}.topViewDeg or more, clamped to
 * 15–30°. Pure.
 *
 * With the camera at distance D and the top h above the centre, the line of sight to the top's centre
 * descends by at least a when D·sin(e) − h ≥ tan(a)·D·cos(e), i.e. e ≥ a + asin(h·cos(a)/D).
 *
 * @example
 * ```ts
 * autoElevationDeg(scene) // 15 for a flat box, ≈ 26 for a barrel 1.5× as tall as it is wide
 * ```
 */
export function autoElevationDeg(scene: Pick<Scene, 'primitives' | 'bounds'>, distanceInRadii = 3): number {
  const { min, max } = scene.bounds;
  const center = [(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2] as const;
  let radius = 0;
  for (const primitive of scene.primitives) {
    const p = primitive.positions;
    for (let i = 0; i < p.length; i += 3) {
      radius = Math.max(radius, Math.hypot(p[i]! - center[0], p[i + 1]! - center[1], p[i + 2]! - center[2]));
    }
  }
  if (radius <= 0) return AUTO_ELEVATION.minDeg;
  const topAbove = (max[1] - min[1]) / 2;
  const a = (AUTO_ELEVATION.topViewDeg * Math.PI) / 180;
  const needed = a + Math.asin(Math.min(1, (topAbove * Math.cos(a)) / (radius * distanceInRadii)));
  const degrees = (needed * 180) / Math.PI;
  return Math.round(Math.min(AUTO_ELEVATION.maxDeg, Math.max(AUTO_ELEVATION.minDeg, degrees)) * 100) / 100;
}
