/**
 * Column-major 4×4 matrices, the layout of glTF and of WGSL's `mat4x4f`: a look-at view, a perspective
 * projection, a rotation about Y, products, and transforms of points, directions and normals (the scene
 * loader bakes node and skin matrices with them).
 */

/** A 3-vector. */
export type Vec3 = [number, number, number];

/** Any column-major 4×4 matrix (glTF-Transform's `mat4`, a `Float32Array`, a `Float64Array`). */
export type Mat4Like = ArrayLike<number>;

/**
 * `a × b` (column-major, so `a` is applied last), into `out`: a new `Float32Array` unless given (pass a
 * `Float64Array` to keep double precision).
 */
export function multiply<T extends Float32Array | Float64Array = Float32Array>(
  a: Mat4Like,
  b: Mat4Like,
  out: T = new Float32Array(16) as T,
): T {
  for (let column = 0; column < 4; column++) {
    for (let row = 0; row < 4; row++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += a[k * 4 + row]! * b[column * 4 + k]!;
      out[column * 4 + row] = sum;
    }
  }
  return out;
}

/** The view matrix of a camera at `eye` looking at `target` with `up` as the approximate up direction. */
export function lookAt(eye: Vec3, target: Vec3, up: Vec3): Float32Array {
  const f = normalize(sub(target, eye));
  const s = normalize(cross(f, up));
  const u = cross(s, f);
  // biome-ignore format: matrix layout
  return new Float32Array([
    s[0], u[0], -f[0], 0,
    s[1], u[1], -f[1], 0,
    s[2], u[2], -f[2], 0,
    -dot(s, eye), -dot(u, eye), dot(f, eye), 1,
  ]);
}

/** A right-handed perspective projection to WebGPU clip space (depth 0..1). */
export function perspective(verticalFovRad: number, aspect: number, near: number, far: number): Float32Array {
  const f = 1 / Math.tan(verticalFovRad / 2);
  const rangeInv = 1 / (near - far);
  // biome-ignore format: matrix layout
  return new Float32Array([
    f / aspect, 0, 0, 0,
    0, f, 0, 0,
    0, 0, far * rangeInv, -1,
    0, 0, near * far * rangeInv, 0,
  ]);
}

/** Rotation by `angleRad` about the +Y axis through `origin` (counter-clockwise seen from above). */
export function rotationYAbout(angleRad: number, origin: Vec3): Float32Array {
  const c = Math.cos(angleRad);
  const s = Math.sin(angleRad);
  const [ox, , oz] = origin;
  // x' = c·(x−ox) + s·(z−oz) + ox ; z' = −s·(x−ox) + c·(z−oz) + oz
  // biome-ignore format: matrix layout
  return new Float32Array([
    c, 0, -s, 0,
    0, 1, 0, 0,
    s, 0, c, 0,
    ox - c * ox - s * oz, 0, oz + s * ox - c * oz, 1,
  ]);
}

/** `a − b`. */
export function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

/** Cross product. */
export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** Dot product. */
export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** `a` scaled to unit length (a zero vector stays zero). */
export function normalize(a: Vec3): Vec3 {
  const length = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / length, a[1] / length, a[2] / length];
}

/** Determinant of the upper-left 3×3 (negative when the transform mirrors). */
export function determinant3(m: Mat4Like): number {
  return (
    m[0]! * (m[5]! * m[10]! - m[9]! * m[6]!) -
    m[4]! * (m[1]! * m[10]! - m[9]! * m[2]!) +
    m[8]! * (m[1]! * m[6]! - m[5]! * m[2]!)
  );
}

/** Writes `m · (x, y, z, 1)` of the point at `src[i…i+2]` to `dst[o…o+2]`. */
export function transformPoint(
  m: Mat4Like,
  src: ArrayLike<number>,
  i: number,
  dst: Float32Array,
  o: number,
): void {
  const x = src[i]!;
  const y = src[i + 1]!;
  const z = src[i + 2]!;
  dst[o] = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
  dst[o + 1] = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
  dst[o + 2] = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
}

/** Writes the unit direction `m · (x, y, z, 0)` of `src[i…i+2]` to `dst[o…o+2]`. */
export function transformDirection(
  m: Mat4Like,
  src: ArrayLike<number>,
  i: number,
  dst: Float32Array,
  o: number,
): void {
  const x = src[i]!;
  const y = src[i + 1]!;
  const z = src[i + 2]!;
  const tx = m[0]! * x + m[4]! * y + m[8]! * z;
  const ty = m[1]! * x + m[5]! * y + m[9]! * z;
  const tz = m[2]! * x + m[6]! * y + m[10]! * z;
  const length = Math.hypot(tx, ty, tz) || 1;
  dst[o] = tx / length;
  dst[o + 1] = ty / length;
  dst[o + 2] = tz / length;
}

/**
 * Writes the unit normal of `src[i…i+2]` under `m` to `dst[o…o+2]`: normals go through the inverse
 * transpose, and the cofactor matrix is that up to a scale normalised away (its sign follows the determinant).
 */
export function transformNormal(
  m: Mat4Like,
  src: ArrayLike<number>,
  i: number,
  dst: Float32Array,
  o: number,
): void {
  const x = src[i]!;
  const y = src[i + 1]!;
  const z = src[i + 2]!;
  const c00 = m[5]! * m[10]! - m[6]! * m[9]!;
  const c01 = m[6]! * m[8]! - m[4]! * m[10]!;
  const c02 = m[4]! * m[9]! - m[5]! * m[8]!;
  const c10 = m[2]! * m[9]! - m[1]! * m[10]!;
  const c11 = m[0]! * m[10]! - m[2]! * m[8]!;
  const c12 = m[1]! * m[8]! - m[0]! * m[9]!;
  const c20 = m[1]! * m[6]! - m[2]! * m[5]!;
  const c21 = m[2]! * m[4]! - m[0]! * m[6]!;
  const c22 = m[0]! * m[5]! - m[1]! * m[4]!;
  const sign = determinant3(m) < 0 ? -1 : 1;
  const nx = (c00 * x + c10 * y + c20 * z) * sign;
  const ny = (c01 * x + c11 * y + c21 * z) * sign;
  const nz = (c02 * x + c12 * y + c22 * z) * sign;
  const length = Math.hypot(nx, ny, nz) || 1;
  dst[o] = nx / length;
  dst[o + 1] = ny / length;
  dst[o + 2] = nz / length;
}
