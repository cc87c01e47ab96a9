import type { Accessor, Primitive } from '@gltf-transform/core';

/** glTF primitive modes. */
export const MODE = {
  POINTS: 0,
  LINES: 1,
  LINE_LOOP: 2,
  LINE_STRIP: 3,
  TRIANGLES: 4,
  TRIANGLE_STRIP: 5,
  TRIANGLE_FAN: 6,
};

/** Whether a primitive draws triangles (list, strip or fan). */
export function isTriangleMode(primitive: Primitive): boolean {
  const mode = primitive.getMode();
  return mode === MODE.TRIANGLES || mode === MODE.TRIANGLE_STRIP || mode === MODE.TRIANGLE_FAN;
}

/**
 * The values of an accessor as floats, tightly packed (`count × elementSize`), dequantised when the
 * accessor is normalised or integer. Float accessors are returned without a copy.
 */
export function readFloats(accessor: Accessor): Float32Array {
  const array = accessor.getArray();
  if (array instanceof Float32Array && !accessor.getNormalized()) return array;
  const size = accessor.getElementSize();
  const out = new Float32Array(accessor.getCount() * size);
  const element: number[] = new Array(size).fill(0);
  for (let index = 0; index < accessor.getCount(); index++) {
    accessor.getElement(index, element);
    for (let component = 0; component < size; component++)
      out[index * size + component] = element[component]!;
  }
  return out;
}

/**
 * Calls `visit(a, b, c)` with the vertex indices of every triangle of a triangle primitive (lists, strips
 * and fans; indexed or not). Returns the number of triangles.
 */
export function forEachTriangle(
  primitive: Primitive,
  visit?: (a: number, b: number, c: number) => void,
): number {
  const position = primitive.getAttribute('POSITION');
  if (!position || !isTriangleMode(primitive)) return 0;
  const indexArray = primitive.getIndices()?.getArray();
  const count = indexArray ? indexArray.length : position.getCount();
  const at = indexArray ? (i: number) => indexArray[i]! : (i: number) => i;
  const mode = primitive.getMode();
  let triangles = 0;
  if (mode === MODE.TRIANGLES) {
    for (let i = 0; i + 2 < count; i += 3) {
      visit?.(at(i), at(i + 1), at(i + 2));
      triangles++;
    }
  } else if (mode === MODE.TRIANGLE_STRIP) {
    for (let i = 0; i + 2 < count; i++) {
      if (i % 2 === 0) visit?.(at(i), at(i + 1), at(i + 2));
      else visit?.(at(i + 1), at(i), at(i + 2));
      triangles++;
    }
  } else {
    for (let i = 1; i + 1 < count; i++) {
      visit?.(at(0), at(i), at(i + 1));
      triangles++;
    }
  }
  return triangles;
}

/** Twice the area of triangle (a, b, c) of packed VEC3 floats. */
export function triangleArea3(p: Float32Array, a: number, b: number, c: number): number {
  const ax = p[a * 3]!;
  const ay = p[a * 3 + 1]!;
  const az = p[a * 3 + 2]!;
  const ux = p[b * 3]! - ax;
  const uy = p[b * 3 + 1]! - ay;
  const uz = p[b * 3 + 2]! - az;
  const vx = p[c * 3]! - ax;
  const vy = p[c * 3 + 1]! - ay;
  const vz = p[c * 3 + 2]! - az;
  const cx = uy * vz - uz * vy;
  const cy = uz * vx - ux * vz;
  const cz = ux * vy - uy * vx;
  return Math.sqrt(cx * cx + cy * cy + cz * cz);
}

/** Twice the unsigned area of triangle (a, b, c) of packed VEC2 floats. */
export function triangleArea2(uv: Float32Array, a: number, b: number, c: number): number {
  const ax = uv[a * 2]!;
  const ay = uv[a * 2 + 1]!;
  return Math.abs((uv[b * 2]! - ax) * (uv[c * 2 + 1]! - ay) - (uv[c * 2]! - ax) * (uv[b * 2 + 1]! - ay));
}
