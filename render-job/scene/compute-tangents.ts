/**
 * Per-vertex tangents (xyzw, w = bitangent sign) from positions, normals and UVs by accumulating each
 * triangle's UV-space derivatives (Lengyel's method), for normal-mapped primitives without TANGENT.
 * Caveats: not MikkTSpace, so normal maps baked with MikkTSpace shade slightly differently at UV seams.
 */
export function computeTangents(
  positions: Float32Array,
  normals: Float32Array,
  uvs: Float32Array,
  indices: Uint32Array,
): Float32Array {
  const vertexCount = positions.length / 3;
  const tan = new Float32Array(vertexCount * 3);
  const bitan = new Float32Array(vertexCount * 3);
  for (let t = 0; t < indices.length; t += 3) {
    const i0 = indices[t]!;
    const i1 = indices[t + 1]!;
    const i2 = indices[t + 2]!;
    const x1 = positions[i1 * 3]! - positions[i0 * 3]!;
    const y1 = positions[i1 * 3 + 1]! - positions[i0 * 3 + 1]!;
    const z1 = positions[i1 * 3 + 2]! - positions[i0 * 3 + 2]!;
    const x2 = positions[i2 * 3]! - positions[i0 * 3]!;
    const y2 = positions[i2 * 3 + 1]! - positions[i0 * 3 + 1]!;
    const z2 = positions[i2 * 3 + 2]! - positions[i0 * 3 + 2]!;
    const s1 = uvs[i1 * 2]! - uvs[i0 * 2]!;
    const t1 = uvs[i1 * 2 + 1]! - uvs[i0 * 2 + 1]!;
    const s2 = uvs[i2 * 2]! - uvs[i0 * 2]!;
    const t2 = uvs[i2 * 2 + 1]! - uvs[i0 * 2 + 1]!;
    const det = s1 * t2 - s2 * t1;
    if (Math.abs(det) < 1e-20) continue;
    const r = 1 / det;
    const sx = (t2 * x1 - t1 * x2) * r;
    const sy = (t2 * y1 - t1 * y2) * r;
    const sz = (t2 * z1 - t1 * z2) * r;
    const tx = (s1 * x2 - s2 * x1) * r;
    const ty = (s1 * y2 - s2 * y1) * r;
    const tz = (s1 * z2 - s2 * z1) * r;
    for (const v of [i0, i1, i2]) {
      tan[v * 3] = tan[v * 3]! + sx;
      tan[v * 3 + 1] = tan[v * 3 + 1]! + sy;
      tan[v * 3 + 2] = tan[v * 3 + 2]! + sz;
      bitan[v * 3] = bitan[v * 3]! + tx;
      bitan[v * 3 + 1] = bitan[v * 3 + 1]! + ty;
      bitan[v * 3 + 2] = bitan[v * 3 + 2]! + tz;
    }
  }
  const tangents = new Float32Array(vertexCount * 4);
  for (let v = 0; v < vertexCount; v++) {
    const nx = normals[v * 3]!;
    const ny = normals[v * 3 + 1]!;
    const nz = normals[v * 3 + 2]!;
    let tx = tan[v * 3]!;
    let ty = tan[v * 3 + 1]!;
    let tz = tan[v * 3 + 2]!;
    // Gram-Schmidt against the normal; fall back to any perpendicular when the UVs were degenerate.
    const d = nx * tx + ny * ty + nz * tz;
    tx -= nx * d;
    ty -= ny * d;
    tz -= nz * d;
    let length = Math.hypot(tx, ty, tz);
    if (length < 1e-12) {
      [tx, ty, tz] = Math.abs(nx) < 0.9 ? [0, -nz, ny] : [nz, 0, -nx];
      length = Math.hypot(tx, ty, tz) || 1;
    }
    tangents[v * 4] = tx / length;
    tangents[v * 4 + 1] = ty / length;
    tangents[v * 4 + 2] = tz / length;
    const bx = ny * tz - nz * ty;
    const by = nz * tx - nx * tz;
    const bz = nx * ty - ny * tx;
    const handed = bx * bitan[v * 3]! + by * bitan[v * 3 + 1]! + bz * bitan[v * 3 + 2]!;
    tangents[v * 4 + 3] = handed < 0 ? -1 : 1;
  }
  return tangents;
}
