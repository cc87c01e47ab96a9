import type { Document } from '@gltf-transform/core';
import type { GltfCameraNode } from './gltf-camera.ts';

/**
 * The camera nodes of a glTF document's default scene (else its first), in scene order, with their world
 * matrices. A camera used by two nodes appears twice, named after each node after the first.
 *
 * Caveats: glTF-Transform gives a perspective camera without `zfar` its default far plane (100).
 *
 * @example
 * ```ts
 * readGltfCameras(await readModel({ bytes, name: 'Mixer.glb' })).map((c) => c.name) // ['camera0', …]
 * ```
 */
export function readGltfCameras(document: Document): GltfCameraNode[] {
  const root = document.getRoot();
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  if (!scene) return [];
  const cameras = root.listCameras();
  const nodes: GltfCameraNode[] = [];
  const seen = new Set<string>();
  scene.traverse((node) => {
    const camera = node.getCamera();
    if (!camera) return;
    const index = cameras.indexOf(camera);
    let name = camera.getName() || node.getName() || `camera${index}`;
    if (seen.has(name))
      name = node.getName() && !seen.has(node.getName()) ? node.getName() : `${name}#${nodes.length}`;
    seen.add(name);
    const perspective = camera.getType() === 'perspective';
    const aspectRatio = camera.getAspectRatio();
    nodes.push({
      name,
      index,
      worldMatrix: Array.from(node.getWorldMatrix()),
      type: perspective ? 'perspective' : 'orthographic',
      ...(perspective ? { yfov: camera.getYFov() } : {}),
      ...(perspective && aspectRatio !== null ? { aspectRatio } : {}),
      znear: camera.getZNear(),
      zfar: camera.getZFar(),
    });
  });
  return nodes;
}
