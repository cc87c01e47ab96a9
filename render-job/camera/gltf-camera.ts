/**
 * The view of a glTF camera node as the renderer's camera: the node's world transform gives the eye and the
 * viewing direction (a glTF camera looks down its local −Z with +Y up), its perspective projection gives
 * the frustum. Pure: the node's figures come from `read-gltf-cameras.ts`.
 */
import { RenderError } from '../errors.ts';
import type { Bounds } from '../scene/scene-types.ts';
import type { TurntableCamera } from './frame-turntable.ts';
import { dot, type Mat4Like, normalize, sub, type Vec3 } from './mat4.ts';

/** A fixed camera in the turntable camera's terms (the manifest's `camera` shape). */
export type GltfCameraView = Pick<
  TurntableCamera,
  'eye' | 'target' | 'up' | 'frustum' | 'near' | 'far' | 'verticalFovDeg' | 'axisOrigin'
>;

/** A camera node of a glTF scene, as read from the file. */
export interface GltfCameraNode {
  /** The camera's name, else its node's, else `camera<index>`. */
  name: string;
  /** Index in the file's `cameras`. */
  index: number;
  /** The node's world matrix (column-major); scale is ignored, as glTF asks. */
  worldMatrix: Mat4Like;
  type: 'perspective' | 'orthographic';
  /** Perspective: vertical field of view, radians. */
  yfov?: number;
  /** Perspective: width over height, when the file sets it. */
  aspectRatio?: number;
  znear: number;
  /** Absent for an infinite perspective projection. */
  zfar?: number;
}

/** Options of {@link gltfCameraView}. */
export interface GltfCameraViewOptions {
  /** Width over height of the frame rendered (frames are square: 1). */
  aspect?: number;
  /** The scene's bounds, to place the far plane of a camera without `zfar`. */
  bounds?: Bounds;
}

/** Defaults of {@link GltfCameraViewOptions}. */
export const GLTF_CAMERA_VIEW_DEFAULTS: Required<Pick<GltfCameraViewOptions, 'aspect'>> = { aspect: 1 };

/**
 * The camera a glTF camera node describes, in the form the turntable's matrices take (`turntableMatrices`
 * at angle 0 renders it): eye at the node's world position, looking along its world −Z, its world +Y as up,
 * a symmetric frustum of `tan(yfov / 2)` vertically and `aspect` times that horizontally.
 *
 * Assumptions: frames are `aspect` wide; the vertical field of view is kept and a file's `aspectRatio`
 * that differs only widens or narrows what is seen at the sides. Caveats: orthographic cameras are refused
 * (SHAZAM_RENDER_INVALID_OPTIONS); a camera without `zfar` gets a far plane just past the farthest corner
 * of `bounds` (or 1000 × `znear` without bounds).
 *
 * @example
 * ```ts
 * const camera = gltfCameraView(node, { bounds: scene.bounds });
 * renderer.renderFrame({ ...turntableMatrices(camera, 0), eye: camera.eye });
 * ```
 */
export function gltfCameraView(node: GltfCameraNode, options: GltfCameraViewOptions = {}): GltfCameraView {
  const aspect = options.aspect ?? GLTF_CAMERA_VIEW_DEFAULTS.aspect;
  if (node.type !== 'perspective' || node.yfov === undefined) {
    throw new RenderError(
      'SHAZAM_RENDER_INVALID_OPTIONS',
      `camera ${node.name} is ${node.type}: only perspective cameras can be rendered from; pick another camera`,
    );
  }
  if (!(node.yfov > 0 && node.yfov < Math.PI) || !(node.znear > 0)) {
    throw new RenderError(
      'SHAZAM_RENDER_SOURCE_INVALID',
      `camera ${node.name} has yfov ${node.yfov} and znear ${node.znear}: glTF asks for 0 < yfov < π and znear > 0`,
    );
  }
  const m = node.worldMatrix;
  const eye: Vec3 = [m[12]!, m[13]!, m[14]!];
  const forward = normalize([-m[8]!, -m[9]!, -m[10]!]);
  // The node's +Y made perpendicular to the view direction (a sheared world matrix would tilt it).
  const yAxis: Vec3 = [m[4]!, m[5]!, m[6]!];
  const up = normalize(sub(yAxis, scale(forward, dot(yAxis, forward))));
  if (Math.hypot(...forward) === 0 || Math.hypot(...up) === 0) {
    throw new RenderError(
      'SHAZAM_RENDER_SOURCE_INVALID',
      `camera ${node.name}'s node is scaled to zero: it has no viewing direction`,
    );
  }
  const tanY = Math.tan(node.yfov / 2);
  const near = node.znear;
  const far = node.zfar ?? farPlane(eye, near, options.bounds);
  return {
    eye,
    target: [eye[0] + forward[0], eye[1] + forward[1], eye[2] + forward[2]],
    up,
    frustum: { left: -tanY * aspect, right: tanY * aspect, bottom: -tanY, top: tanY },
    near,
    far: Math.max(far, near * 1.001),
    verticalFovDeg: (node.yfov * 180) / Math.PI,
    // At turntable angle 0 the axis does not matter; the eye is a point every renderer accepts.
    axisOrigin: eye,
  };
}

/** Just past the farthest corner of the bounds from the eye, else 1000 × near. */
function farPlane(eye: Vec3, near: number, bounds: Bounds | undefined): number {
  if (!bounds) return near * 1000;
  let farthest = 0;
  for (const x of [bounds.min[0], bounds.max[0]]) {
    for (const y of [bounds.min[1], bounds.max[1]]) {
      for (const z of [bounds.min[2], bounds.max[2]]) {
        farthest = Math.max(farthest, Math.hypot(x - eye[0], y - eye[1], z - eye[2]));
      }
    }
  }
  return farthest * 1.05;
}

function scale(v: Vec3, s: number): Vec3 {
  return [v[0] * s, v[1] * s, v[2] * s];
}
