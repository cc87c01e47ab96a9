/**
 * An independent CPU rasteriser for checking the GPU turntable: it rebuilds the camera from the manifest's
 * numbers with its own vector maths (no matrices, nothing shared with the renderer's projection code),
 * turns the triangles about the turntable axis, and fills pixel centres with edge functions, honouring
 * back-face culling the way glTF defines it (counter-clockwise front faces, unless double-sided).
 */
import type { RenderCamera } from '../../lib/contracts/render-manifest.ts';

/** Triangles in world space, as the renderer's scene holds them. */
export interface CpuTriangles {
  positions: Float32Array;
  indices: Uint32Array;
  doubleSided: boolean;
  /** Optional UVs, interpolated perspective-correctly into {@link CpuRaster.uv}. */
  uvs?: Float32Array;
  /** Returned in {@link CpuRaster.owner} for the pixels this set covers. */
  id?: number;
}

/** The result of {@link cpuRasterize}: row-major, row 0 at the top. */
export interface CpuRaster {
  size: number;
  /** 1 where a triangle covers the pixel centre. */
  coverage: Uint8Array;
  /** Interpolated UV of the nearest surface (NaN where uncovered or without UVs). */
  uv: Float32Array;
  /** `id` of the nearest set, −1 where uncovered. */
  owner: Int32Array;
}

type V3 = [number, number, number];

/**
 * Rasterises `sets` as seen by `camera` after turning them by `angleDeg` counter-clockwise (seen from above)
 * about the vertical axis through `camera.axisOrigin`.
 */
export function cpuRasterize(
  sets: CpuTriangles[],
  camera: RenderCamera,
  angleDeg: number,
  size: number,
): CpuRaster {
  const forward = unit(minus(camera.target, camera.eye));
  const right = unit(crossV(forward, camera.up));
  const up = crossV(right, forward);
  const { left, right: r, bottom, top } = camera.frustum;
  const theta = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const [ox, , oz] = camera.axisOrigin;

  const coverage = new Uint8Array(size * size);
  const uv = new Float32Array(size * size * 2).fill(Number.NaN);
  const owner = new Int32Array(size * size).fill(-1);
  const inverseDepth = new Float32Array(size * size);

  for (const set of sets) {
    const count = set.positions.length / 3;
    // Screen x, y (pixels, y down), camera-space depth per vertex.
    const sx = new Float64Array(count);
    const sy = new Float64Array(count);
    const depth = new Float64Array(count);
    for (let v = 0; v < count; v++) {
      const px = set.positions[v * 3]! - ox;
      const py = set.positions[v * 3 + 1]!;
      const pz = set.positions[v * 3 + 2]! - oz;
      // Counter-clockwise about +Y: +X turns towards −Z.
      const world: V3 = [ox + cos * px + sin * pz, py, oz - sin * px + cos * pz];
      const d = minus(world, camera.eye);
      const z = dotV(d, forward);
      const tx = dotV(d, right) / z;
      const ty = dotV(d, up) / z;
      sx[v] = ((tx - left) / (r - left)) * size;
      sy[v] = ((top - ty) / (top - bottom)) * size;
      depth[v] = z;
    }
    for (let t = 0; t < set.indices.length; t += 3) {
      const a = set.indices[t]!;
      const b = set.indices[t + 1]!;
      const c = set.indices[t + 2]!;
      if (depth[a]! <= 0 || depth[b]! <= 0 || depth[c]! <= 0) continue;
      // Area in pixel space (y down): counter-clockwise on screen-with-y-up is negative here.
      const area = (sx[b]! - sx[a]!) * (sy[c]! - sy[a]!) - (sx[c]! - sx[a]!) * (sy[b]! - sy[a]!);
      if (area === 0) continue;
      if (!set.doubleSided && area > 0) continue;
      const minX = Math.max(0, Math.floor(Math.min(sx[a]!, sx[b]!, sx[c]!)));
      const maxX = Math.min(size - 1, Math.ceil(Math.max(sx[a]!, sx[b]!, sx[c]!)));
      const minY = Math.max(0, Math.floor(Math.min(sy[a]!, sy[b]!, sy[c]!)));
      const maxY = Math.min(size - 1, Math.ceil(Math.max(sy[a]!, sy[b]!, sy[c]!)));
      for (let y = minY; y <= maxY; y++) {
        const cy = y + 0.5;
        for (let x = minX; x <= maxX; x++) {
          const cx = x + 0.5;
          const w0 = ((sx[c]! - sx[b]!) * (cy - sy[b]!) - (sy[c]! - sy[b]!) * (cx - sx[b]!)) / area;
          const w1 = ((sx[a]! - sx[c]!) * (cy - sy[c]!) - (sy[a]! - sy[c]!) * (cx - sx[c]!)) / area;
          const w2 = 1 - w0 - w1;
          if (w0 < 0 || w1 < 0 || w2 < 0) continue;
          const p = y * size + x;
          const inv = w0 / depth[a]! + w1 / depth[b]! + w2 / depth[c]!;
          coverage[p] = 1;
          if (inv <= inverseDepth[p]!) continue;
          inverseDepth[p] = inv;
          owner[p] = set.id ?? 0;
          if (set.uvs) {
            for (let k = 0; k < 2; k++) {
              const value =
                (w0 * set.uvs[a * 2 + k]!) / depth[a]! +
                (w1 * set.uvs[b * 2 + k]!) / depth[b]! +
                (w2 * set.uvs[c * 2 + k]!) / depth[c]!;
              uv[p * 2 + k] = value / inv;
            }
          }
        }
      }
    }
  }
  return { size, coverage, uv, owner };
}

/** Intersection over union of two masks (1 when both are empty). */
export function iou(a: Uint8Array, b: Uint8Array): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! > 0;
    const y = b[i]! > 0;
    if (x && y) intersection++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : intersection / union;
}

function minus(a: readonly number[], b: readonly number[]): V3 {
  return [a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!];
}

function dotV(a: V3, b: V3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function crossV(a: readonly number[], b: readonly number[]): V3 {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}

function unit(a: V3): V3 {
  const length = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / length, a[1] / length, a[2] / length];
}
