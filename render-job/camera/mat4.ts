/**
 * Column-major 4×4 matrices in `Float32Array`s, the layout WGSL's `mat4x4f` reads. Only what the turntable
 * needs: a look-at view, a perspective projection, a rotation about Y and products.
 */

/** A 3-vector. */
export type Vec3 = [number, number, number];

/** `a × b` as a new matrix (column-major, so `a` is applied last). */
export function multiply(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(16);
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
