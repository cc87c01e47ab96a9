/**
 * Area-weighted smooth vertex normals for a triangle list, for primitives that ship without NORMAL.
 *
 * @example
 * ```ts
 * const normals = computeNormals(positions, indices);
 * ```
 */
export function computeNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const normals = new Float32Array(positions.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]! * 3;
    const b = indices[t + 1]! * 3;
    const c = indices[t + 2]! * 3;
    const e1x = positions[b]! - positions[a]!;
    const e1y = positions[b + 1]! - positions[a + 1]!;
    const e1z = positions[b + 2]! - positions[a + 2]!;
    const e2x = positions[c]! - positions[a]!;
    const e2y = positions[c + 1]! - positions[a + 1]!;
    const e2z = positions[c + 2]! - positions[a + 2]!;
    // The unnormalised cross product weighs each face by its area.
    const nx = e1y * e2z - e1z * e2y;
    const ny = e1z * e2x - e1x * e2z;
    const nz = e1x * e2y - e1y * e2x;
    for (const v of [a, b, c]) {
      normals[v] = normals[v]! + nx;
      normals[v + 1] = normals[v + 1]! + ny;
      normals[v + 2] = normals[v + 2]! + nz;
    }
  }
  normalizeVectors(normals, 3);
  return normals;
}

/** Normalises consecutive `size`-long vectors in place (zero vectors become +Y). */
function normalizeVectors(values: Float32Array, size: number): void {
  for (let i = 0; i < values.length; i += size) {
    const length = Math.hypot(values[i]!, values[i + 1]!, values[i + 2]!);
    if (length < 1e-20) {
      values[i] = 0;
      values[i + 1] = 1;
      values[i + 2] = 0;
      continue;
    }
    values[i] = values[i]! / length;
    values[i + 1] = values[i + 1]! / length;
    values[i + 2] = values[i + 2]! / length;
  }
}
