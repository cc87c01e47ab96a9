import type { Accessor, Primitive } from '@gltf-transform/core';

/** glTF primitive modes. */
export const MODE = { POINTS: 0, LINES: 1, LINE_LOOP: 2, LINE_STRIP: 3, TRIANGLES: 4, TRIANGLE_STRIP: 5, TRIANGLE_FAN: 6 };

/** Whether a primitive draws triangles (list, strip or fan). */
export function isTriangleMode(primitive: Primitive): boolean {
  const mode = primitive.getMode();
  return mode === MODE.TRIANGLES || mode === MODE.TRIANGLE_STRIP || mode === MODE.TRIANGLE_FAN;
}

/**
 * Calls `visit(a, b, c)` with the vertex indices of every triangle of a triangle primitive (lists, strips
 * and fans; indexed or not). Returns the number of triangles.
 */
export function forEachTriangle(primitive: Primitive, visit?: (a: number, b: number, c: number) => void): number {
  const position = primitive.getAttribute('POSITION');
  if (!position || !isTriangleMode(primitive)) return 0;
  const indices = primitive.getIndices();
  const count = indices ? indices.getCount() : position.getCount();
  const index = indices ? (i: number) => indices.getScalar(i) : (i: number) => i;
  const mode = primitive.getMode();
  let triangles = 0;
  if (mode === MODE.TRIANGLES) {
    for (let i = 0; i + 2 < count; i += 3) {
      visit?.(index(i), index(i + 1), index(i + 2));
      triangles++;
    }
  } else if (mode === MODE.TRIANGLE_STRIP) {
    for (let i = 0; i + 2 < count; i++) {
      if (i % 2 === 0) visit?.(index(i), index(i + 1), index(i + 2));
      else visit?.(index(i + 1), index(i), index(i + 2));
      triangles++;
    }
  } else {
    for (let i = 1; i + 1 < count; i++) {
      visit?.(index(0), index(i), index(i + 1));
      triangles++;
    }
  }
  return triangles;
}

/** Twice the area of triangle (a, b, c) of a VEC3 accessor. */
export function triangleArea3(accessor: Accessor, a: number, b: number, c: number, scratch: number[][]): number {
  const [pa, pb, pc] = scratch as [number[], number[], number[]];
  accessor.getElement(a, pa);
  accessor.getElement(b, pb);
  accessor.getElement(c, pc);
  const ux = pb[0]! - pa[0]!;
  const uy = pb[1]! - pa[1]!;
  const uz = pb[2]! - pa[2]!;
  const vx = pc[0]! - pa[0]!;
  const vy = pc[1]! - pa[1]!;
  const vz = pc[2]! - pa[2]!;
  const cx = uy * vz - uz * vy;
  const cy = uz * vx - ux * vz;
  const cz = ux * vy - uy * vx;
  return Math.sqrt(cx * cx + cy * cy + cz * cz);
}

/** Twice the signed-area magnitude of triangle (a, b, c) of a VEC2 accessor. */
export function triangleArea2(accessor: Accessor, a: number, b: number, c: number, scratch: number[][]): number {
  const [pa, pb, pc] = scratch as [number[], number[], number[]];
  accessor.getElement(a, pa);
  accessor.getElement(b, pb);
  accessor.getElement(c, pc);
  return Math.abs((pb[0]! - pa[0]!) * (pc[1]! - pa[1]!) - (pc[0]! - pa[0]!) * (pb[1]! - pa[1]!));
}

/** Three scratch vectors for the area functions (avoids allocating per triangle). */
export function scratchVectors(): number[][] {
  return [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
}
