import type { TurntableCamera } from './frame-turntable.ts';
import { lookAt, multiply, rotationYAbout } from './mat4.ts';

/**
 * The projection × view matrix of a turntable camera (WebGPU clip space, depth 0..1) and the model matrix
 * of frame angle `angleDeg`. Any camera of that shape renders through it: a glTF camera node's view
 * (`gltf-camera.ts`) at angle 0.
 */
export function turntableMatrices(
  camera: Pick<TurntableCamera, 'eye' | 'target' | 'up' | 'frustum' | 'near' | 'far' | 'axisOrigin'>,
  angleDeg: number,
): { viewProjection: Float32Array; model: Float32Array } {
  const { left, right, bottom, top } = camera.frustum;
  const { near, far } = camera;
  // Off-axis perspective: x_ndc = (2·tx − (r + l)) / (r − l) with tx = x/−z.
  // biome-ignore format: matrix layout
  const projection = new Float32Array([
    2 / (right - left), 0, 0, 0,
    0, 2 / (top - bottom), 0, 0,
    (right + left) / (right - left), (top + bottom) / (top - bottom), far / (near - far), -1,
    0, 0, (near * far) / (near - far), 0,
  ]);
  return {
    viewProjection: multiply(projection, lookAt(camera.eye, camera.target, camera.up)),
    model: rotationYAbout((angleDeg * Math.PI) / 180, camera.axisOrigin),
  };
}
