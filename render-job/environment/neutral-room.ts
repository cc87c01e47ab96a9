/**
 * The studio the turntables are lit by: the room of `<model-viewer>`'s "neutral" environment
 * (`EnvironmentScene.ts` of @google/model-viewer 4.x, Copyright 2021 Google LLC, Apache License 2.0), whose
 * numbers are reproduced here so SHAZAM's frames are lit as storefront viewers light the same model. A
 * white room (unit boxes scaled and placed, turned about +Y), a point light under its ceiling, a few white
 * boxes standing on its floor and emissive area lights on its walls. Coordinates are world space (+Y up,
 * +Z towards the camera), already lowered by the 3.5 units model-viewer lowers its environment scene.
 */

/** A box: centre, full size along each axis, turned by `yaw` radians about +Y. */
export interface RoomBox {
  center: [number, number, number];
  size: [number, number, number];
  yaw: number;
}

/** An emissive box of constant linear radiance. */
export interface RoomLight extends RoomBox {
  radiance: number;
}

/** The whole room. */
export interface Room {
  /** The room itself, seen from inside. */
  room: RoomBox;
  /** A point light with an inverse-square fall-off smoothly cut off at `range` (three.js' physical lights). */
  pointLight: { position: [number, number, number]; intensity: number; range: number };
  /** White boxes that block the view of the walls. */
  boxes: RoomBox[];
  lights: RoomLight[];
}

const DROP = -3.5;
const box = (position: [number, number, number], size: [number, number, number], yaw = 0): RoomBox => ({
  center: [position[0], position[1] + DROP, position[2]],
  size,
  yaw,
});
const light = (
  radiance: number,
  position: [number, number, number],
  size: [number, number, number],
): RoomLight => ({ ...box(position, size), radiance });

/** model-viewer's neutral environment room. */
export const NEUTRAL_ROOM: Room = {
  room: box([0, 13.2, 0], [31.5, 28.5, 31.5]),
  pointLight: { position: [0.5, 14 + DROP, 0.5], intensity: 400, range: 28 },
  boxes: [
    box([-10.906, -1.0, 1.846], [2.328, 7.905, 4.651], -0.195),
    box([-5.607, -0.754, -0.758], [1.97, 1.534, 3.955], 0.994),
    box([6.167, -0.16, 7.803], [3.927, 6.285, 3.687], 0.561),
    box([-2.017, 0.018, 6.124], [2.002, 4.566, 2.064], 0.333),
    box([2.291, -0.756, -2.621], [1.546, 1.552, 1.496], -0.286),
    box([-2.193, -0.369, -5.547], [3.875, 3.487, 2.986], 0.516),
  ],
  lights: [
    light(80, [-14, 10, 8], [0.1, 2.5, 2.5]),
    light(80, [-14, 14, -4], [0.1, 2.5, 2.5]),
    light(23, [14, 12, 0], [0.1, 5, 5]),
    light(16, [0, 9, 14], [5, 5, 0.1]),
    light(80, [7, 8, -14], [2.5, 2.5, 0.1]),
    light(80, [-7, 16, -14], [2.5, 2.5, 0.1]),
    light(1, [0, 20, 0], [0.1, 0.1, 0.1]),
  ],
};
