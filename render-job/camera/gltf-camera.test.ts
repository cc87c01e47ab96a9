import { readFile } from 'node:fs/promises';
import { Document } from '@gltf-transform/core';
import { describe, expect, it } from 'vitest';
import { RenderError } from '../errors.ts';
import { loadScene } from '../scene/load-scene.ts';
import { readModel } from '../scene/read-model.ts';
import { fixturePath } from '../test-support/render-fixture.ts';
import { gltfCameraView } from './gltf-camera.ts';
import { readGltfCameras } from './read-gltf-cameras.ts';
import { turntableMatrices } from './turntable-matrices.ts';

type V3 = [number, number, number];
type Quat = [number, number, number, number];

const deg = Math.PI / 180;
/** Rotation of `angle` radians about a unit axis, glTF's [x, y, z, w]. */
const quat = (axis: V3, angle: number): Quat => [
  axis[0] * Math.sin(angle / 2),
  axis[1] * Math.sin(angle / 2),
  axis[2] * Math.sin(angle / 2),
  Math.cos(angle / 2),
];

/** A document whose scene holds one camera node with the given TRS under an optional parent. */
function cameraDocument(
  trs: { translation?: V3; rotation?: Quat; scale?: V3 },
  camera: { yfov?: number; znear?: number; zfar?: number; type?: 'perspective' | 'orthographic' } = {},
  parent?: { translation?: V3; rotation?: Quat },
): Document {
  const document = new Document();
  const gltfCamera = document
    .createCamera('cam')
    .setType(camera.type ?? 'perspective')
    .setYFov(camera.yfov ?? 0.8)
    .setZNear(camera.znear ?? 0.1)
    .setZFar(camera.zfar ?? 100);
  const node = document.createNode('camNode').setCamera(gltfCamera);
  if (trs.translation) node.setTranslation(trs.translation);
  if (trs.rotation) node.setRotation(trs.rotation);
  if (trs.scale) node.setScale(trs.scale);
  const scene = document.createScene('scene');
  if (parent) {
    const holder = document.createNode('rig').addChild(node);
    if (parent.translation) holder.setTranslation(parent.translation);
    if (parent.rotation) holder.setRotation(parent.rotation);
    scene.addChild(holder);
  } else {
    scene.addChild(node);
  }
  document.getRoot().setDefaultScene(scene);
  return document;
}

/** Normalised device coordinates of world point `p` through the rendered camera. */
function project(document: Document, p: V3): V3 {
  const view = gltfCameraView(readGltfCameras(document)[0]!);
  const { viewProjection: m } = turntableMatrices(view, 0);
  const x = m[0]! * p[0] + m[4]! * p[1] + m[8]! * p[2] + m[12]!;
  const y = m[1]! * p[0] + m[5]! * p[1] + m[9]! * p[2] + m[13]!;
  const z = m[2]! * p[0] + m[6]! * p[1] + m[10]! * p[2] + m[14]!;
  const w = m[3]! * p[0] + m[7]! * p[1] + m[11]! * p[2] + m[15]!;
  return [x / w, y / w, z / w];
}

describe('gltfCameraView', () => {
  it('an unrotated camera looks down −Z with +Y up, its frustum tan(yfov/2) high', () => {
    const view = gltfCameraView(readGltfCameras(cameraDocument({ translation: [1, 2, 5] }))[0]!);
    expect(view.eye).toEqual([1, 2, 5]);
    expect(view.target).toEqual([1, 2, 4]);
    expect(view.up).toEqual([0, 1, 0]);
    expect(view.frustum.top).toBeCloseTo(Math.tan(0.4), 12);
    expect(view.frustum.right).toBeCloseTo(Math.tan(0.4), 12);
    expect(view.verticalFovDeg).toBeCloseTo(0.8 / deg, 9);
  });

  it.each([
    // each row: the camera node, a world point, where it must land (NDC x, y; +x right, +y up)
    ['straight ahead lands in the centre', { translation: [0, 0, 5] as V3 }, [0, 0, 0] as V3, [0, 0]],
    [
      // tan(0.4) at distance 5 is the top edge of the frame.
      'a point at the top edge of the field of view',
      { translation: [0, 0, 5] as V3 },
      [0, 5 * Math.tan(0.4), 0] as V3,
      [0, 1],
    ],
    [
      // Turned +90° about Y, the camera at +X looks down −X; its right is world −Z.
      'turned 90° about Y: world −Z is on the right',
      { translation: [5, 0, 0] as V3, rotation: quat([0, 1, 0], 90 * deg) },
      [0, 0, -5 * Math.tan(0.4)] as V3,
      [1, 0],
    ],
    [
      // Pitched down 30° from above the origin: the origin is straight ahead.
      'raised and pitched down 30°',
      {
        translation: [0, 5 * Math.sin(30 * deg), 5 * Math.cos(30 * deg)] as V3,
        rotation: quat([1, 0, 0], -30 * deg),
      },
      [0, 0, 0] as V3,
      [0, 0],
    ],
    [
      // glTF asks for a camera node's scale to be ignored.
      'scale is ignored',
      { translation: [0, 0, 5] as V3, scale: [3, 0.5, 2] as V3 },
      [0, 5 * Math.tan(0.4), 0] as V3,
      [0, 1],
    ],
  ])('%s', (_, trs, point, [x, y]) => {
    const [px, py, pz] = project(cameraDocument(trs), point);
    expect(px).toBeCloseTo(x!, 5);
    expect(py).toBeCloseTo(y!, 5);
    expect(pz).toBeGreaterThan(0);
    expect(pz).toBeLessThan(1);
  });

  it("takes the parent nodes' transforms into account", () => {
    // The rig turns 90° about Y and moves to +X: a camera at its local +Z ends up at +X looking down −X.
    const document = cameraDocument(
      { translation: [0, 0, 5] },
      {},
      { translation: [2, 0, 0], rotation: quat([0, 1, 0], 90 * deg) },
    );
    const view = gltfCameraView(readGltfCameras(document)[0]!);
    expect(view.eye[0]).toBeCloseTo(7, 6);
    expect(view.eye[2]).toBeCloseTo(0, 6);
    expect(view.target[0] - view.eye[0]).toBeCloseTo(-1, 6);
  });

  it('refuses an orthographic camera and a field of view of 0 with codes that name the fix', () => {
    const ortho = readGltfCameras(cameraDocument({}, { type: 'orthographic' }))[0]!;
    expect(() => gltfCameraView(ortho)).toThrow(/only perspective cameras/);
    const flat = readGltfCameras(cameraDocument({}, { yfov: 0 }))[0]!;
    try {
      gltfCameraView(flat);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RenderError);
      expect((error as RenderError).code).toBe('SHAZAM_RENDER_SOURCE_INVALID');
    }
  });

  it('without zfar, the far plane sits just past the farthest corner of the bounds', () => {
    const node = { ...readGltfCameras(cameraDocument({ translation: [0, 0, 10] }))[0]!, zfar: undefined };
    const view = gltfCameraView(node, { bounds: { min: [-1, -1, -1], max: [1, 1, 1] } });
    expect(view.far).toBeCloseTo(Math.hypot(1, 1, 11) * 1.05, 9);
    expect(gltfCameraView(node).far).toBeCloseTo(100, 9);
  });

  it('a wider frame keeps the vertical field of view', () => {
    const view = gltfCameraView(readGltfCameras(cameraDocument({}))[0]!, { aspect: 2 });
    expect(view.frustum.top).toBeCloseTo(Math.tan(0.4), 12);
    expect(view.frustum.right).toBeCloseTo(2 * Math.tan(0.4), 12);
  });
});

describe('readGltfCameras on the Mixer (3D Commerce sample with three cameras)', () => {
  it('reads its three perspective cameras, and camera0 sees the whole product', async () => {
    const path = fixturePath('Mixer');
    const document = await readModel({ bytes: await readFile(path), name: path });
    const cameras = readGltfCameras(document);
    expect(cameras.map((camera) => [camera.name, camera.type, camera.yfov])).toEqual([
      ['camera0', 'perspective', 0.8],
      ['camera1', 'perspective', 0.8],
      ['camera2', 'perspective', 0.8],
    ]);
    expect(Array.from(cameras[0]!.worldMatrix).slice(12, 15)).toEqual([
      expect.closeTo(-0.36, 6),
      expect.closeTo(0.22, 6),
      expect.closeTo(0.26, 6),
    ]);
    // Its reference render (rr-Mixer-0.png) shows the whole mixer with a margin: every vertex inside.
    const scene = loadScene(document);
    const view = gltfCameraView(cameras[0]!, { bounds: scene.bounds });
    const { viewProjection: m } = turntableMatrices(view, 0);
    let extent = 0;
    for (const primitive of scene.primitives) {
      const p = primitive.positions;
      for (let i = 0; i < p.length; i += 3) {
        const w = m[3]! * p[i]! + m[7]! * p[i + 1]! + m[11]! * p[i + 2]! + m[15]!;
        const x = (m[0]! * p[i]! + m[4]! * p[i + 1]! + m[8]! * p[i + 2]! + m[12]!) / w;
        const y = (m[1]! * p[i]! + m[5]! * p[i + 1]! + m[9]! * p[i + 2]! + m[13]!) / w;
        expect(w).toBeGreaterThan(0);
        extent = Math.max(extent, Math.abs(x), Math.abs(y));
      }
    }
    expect(extent).toBeLessThan(1);
    expect(extent).toBeGreaterThan(0.7);
  });
});
