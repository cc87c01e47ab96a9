import { describe, expect, it } from 'vitest';
import { AUTO_ELEVATION, autoElevationDeg } from './auto-elevation.ts';
import type { Vec3 } from './mat4.ts';

/** The corners of an axis-aligned box `width` × `height` × `width`, standing on y = 0. */
function box(width: number, height: number) {
  const positions: number[] = [];
  for (const x of [-width / 2, width / 2])
    for (const y of [0, height]) for (const z of [-width / 2, width / 2]) positions.push(x, y, z);
  const min: Vec3 = [-width / 2, 0, -width / 2];
  const max: Vec3 = [width / 2, height, width / 2];
  return { primitives: [{ positions: Float32Array.from(positions) }], bounds: { min, max } };
}

/** Where the line of sight from the camera to the centre of the top lands, degrees below horizontal. */
function topViewDeg(width: number, height: number, elevationDeg: number): number {
  const radius = Math.hypot(width / 2, height / 2, width / 2);
  const e = (elevationDeg * Math.PI) / 180;
  const eye = [3 * radius * Math.cos(e), height / 2 + 3 * radius * Math.sin(e)];
  return (Math.atan2(eye[1]! - height, eye[0]!) * 180) / Math.PI;
}

describe('autoElevationDeg', () => {
  it('keeps the API default for flat and squat products', () => {
    expect(autoElevationDeg(box(2, 0.3) as never)).toBe(AUTO_ELEVATION.minDeg);
    expect(autoElevationDeg(box(3, 0.5) as never)).toBe(AUTO_ELEVATION.minDeg);
  });

  it('raises the camera over a tall product until its top is seen from above', () => {
    // An open barrel 1.5× as tall as it is wide: at 15° the camera sees its top edge-on.
    expect(topViewDeg(1, 1.5, 15)).toBeLessThan(2);
    const elevation = autoElevationDeg(box(1, 1.5) as never);
    expect(elevation).toBeGreaterThan(20);
    expect(topViewDeg(1, 1.5, elevation)).toBeGreaterThanOrEqual(AUTO_ELEVATION.topViewDeg - 0.01);
  });

  it('stays within Amazon’s 10–30° however tall the product', () => {
    const pole = autoElevationDeg(box(0.1, 5) as never);
    expect(pole).toBeGreaterThan(25);
    expect(pole).toBeLessThanOrEqual(AUTO_ELEVATION.maxDeg);
    expect(topViewDeg(0.1, 5, pole)).toBeGreaterThanOrEqual(AUTO_ELEVATION.topViewDeg - 0.01);
  });
});
