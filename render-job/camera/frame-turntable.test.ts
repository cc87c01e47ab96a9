import { describe, expect, it } from 'vitest';
import type { Scene } from '../scene/scene-types.ts';
import { frameTurntable } from './frame-turntable.ts';
import { turntableMatrices } from './turntable-matrices.ts';

/** An axis-aligned box of the given size standing on the origin, as a scene of its 8 corners. */
function box(width: number, height: number, depth: number): Pick<Scene, 'primitives' | 'bounds'> {
  const corners: number[] = [];
  for (const x of [-width / 2, width / 2]) {
    for (const y of [0, height]) for (const z of [-depth / 2, depth / 2]) corners.push(x, y, z);
  }
  const primitive = {
    positions: new Float32Array(corners),
    normals: new Float32Array(24),
    tangents: new Float32Array(32),
    uv0: new Float32Array(16),
    uv1: new Float32Array(16),
    colors: new Float32Array(32),
    indices: new Uint32Array([0, 1, 2]),
    material: 0,
  };
  return {
    primitives: [primitive],
    bounds: { min: [-width / 2, 0, -depth / 2], max: [width / 2, height, depth / 2] },
  };
}

/** Clip-space position of a point for frame angle `angleDeg`. */
function project(scene: ReturnType<typeof box>, camera: ReturnType<typeof frameTurntable>, angleDeg: number) {
  const { viewProjection, model } = turntableMatrices(camera, angleDeg);
  const p = scene.primitives[0]!.positions;
  const out: Array<[number, number, number]> = [];
  for (let i = 0; i < p.length; i += 3) {
    const world = [0, 1, 2].map(
      (r) => model[r]! * p[i]! + model[4 + r]! * p[i + 1]! + model[8 + r]! * p[i + 2]! + model[12 + r]!,
    );
    const clip = [0, 1, 2, 3].map(
      (r) =>
        viewProjection[r]! * world[0]! +
        viewProjection[4 + r]! * world[1]! +
        viewProjection[8 + r]! * world[2]! +
        viewProjection[12 + r]!,
    );
    out.push([clip[0]! / clip[3]!, clip[1]! / clip[3]!, clip[2]! / clip[3]!]);
  }
  return out;
}

describe('frameTurntable', () => {
  it('keeps every corner of every frame inside the frame and the depth range', () => {
    const scene = box(1, 2, 0.5);
    const camera = frameTurntable(scene, { frames: 12, elevationDeg: 20, fill: 0.9 });
    for (const angle of camera.anglesDeg) {
      for (const [x, y, z] of project(scene, camera, angle)) {
        expect(Math.abs(x)).toBeLessThanOrEqual(0.9 + 1e-6);
        expect(Math.abs(y)).toBeLessThanOrEqual(0.9 + 1e-6);
        expect(z).toBeGreaterThan(0);
        expect(z).toBeLessThan(1);
      }
    }
    expect(Math.max(...camera.fillPerFrame)).toBeCloseTo(0.9, 6);
  });

  it('puts the camera in front (+Z) of the product, raised by the elevation', () => {
    const camera = frameTurntable(box(1, 1, 1), { elevationDeg: 30 });
    const [x, y, z] = camera.eye.map((value, axis) => value - camera.target[axis]!);
    expect(x).toBeCloseTo(0, 9);
    expect(z).toBeGreaterThan(0);
    expect((Math.atan2(y!, z!) * 180) / Math.PI).toBeCloseTo(30, 6);
  });

  it('turns the product counter-clockwise seen from above: +X faces away from the camera at 90°', () => {
    // A box long along X: its +X end, right of centre at 0°, is the far end at 90° (deeper in clip z).
    const scene = box(2, 0.2, 0.2);
    const camera = frameTurntable(scene, { frames: 4, elevationDeg: 0 });
    const atZero = project(scene, camera, 0);
    const atNinety = project(scene, camera, 90);
    const plusX = [4, 5, 6, 7];
    const minusX = [0, 1, 2, 3];
    const mean = (points: Array<[number, number, number]>, indices: number[], axis: number) =>
      indices.reduce((sum, i) => sum + points[i]![axis]!, 0) / indices.length;
    expect(mean(atZero, plusX, 0)).toBeGreaterThan(mean(atZero, minusX, 0));
    expect(mean(atNinety, plusX, 2)).toBeGreaterThan(mean(atNinety, minusX, 2));
  });

  it('reports a low fill for the frames where a long product is seen end-on', () => {
    const camera = frameTurntable(box(4, 0.5, 0.5), { frames: 8, elevationDeg: 15, fill: 0.95 });
    expect(camera.fillPerFrame[0]).toBeCloseTo(0.95, 6);
    // Seen end-on (90°) the 4 m bar is about as wide as it is tall: far below Amazon's 85%.
    expect(camera.fillPerFrame[2]).toBeLessThan(0.5);
  });
});

describe('frameTurntable with a required fill', () => {
  it('tightens the framing until the smallest frame meets it, where the shape allows', () => {
    const scene = box(1, 1, 0.8);
    const loose = frameTurntable(scene, { frames: 72, fill: 0.9 });
    expect(Math.min(...loose.fillPerFrame)).toBeLessThan(0.86);
    const tight = frameTurntable(scene, { frames: 72, fill: 0.9, requiredFill: 0.86, maxFill: 0.98 });
    expect(Math.min(...tight.fillPerFrame)).toBeGreaterThanOrEqual(0.86 - 1e-9);
    expect(Math.max(...tight.fillPerFrame)).toBeLessThanOrEqual(0.98 + 1e-9);
    expect(tight.fill).toBeGreaterThan(0.9);
  });

  it('stops at maxFill when the shape cannot meet it (a long product end-on)', () => {
    const camera = frameTurntable(box(4, 0.5, 0.5), {
      frames: 36,
      fill: 0.95,
      requiredFill: 0.85,
      maxFill: 0.98,
    });
    expect(camera.fill).toBe(0.98);
    expect(Math.min(...camera.fillPerFrame)).toBeLessThan(0.85);
  });
});
