import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGltfIO } from '../lib/gltf/create-io.ts';
import { RenderError } from './errors.ts';
import { createGpuContext, type GpuContext } from './gpu/create-gpu-context.ts';
import { backgroundMask, maskIoU } from './look/background-mask.ts';
import { renderCameraViews } from './render-camera-views.ts';
import { loadScene } from './scene/load-scene.ts';
import { readModel } from './scene/read-model.ts';
import { cpuRasterize } from './test-support/cpu-rasterize.ts';
import { alphaMask, fixturePath, sceneTriangles } from './test-support/render-fixture.ts';

type V3 = [number, number, number];
type Quat = [number, number, number, number];

let gpu: GpuContext;

beforeAll(async () => {
  gpu = await createGpuContext({ allowSoftware: true });
});

afterAll(() => gpu?.destroy());

const SIZE = 128;
const deg = Math.PI / 180;

/** Hamilton product a·b ([x, y, z, w]). */
const mul = (a: Quat, b: Quat): Quat => [
  a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1],
  a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0],
  a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3],
  a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2],
];
const quat = (axis: V3, angle: number): Quat => [
  axis[0] * Math.sin(angle / 2),
  axis[1] * Math.sin(angle / 2),
  axis[2] * Math.sin(angle / 2),
  Math.cos(angle / 2),
];
/** `v` rotated by unit quaternion `q` (q·v·q*). */
function rotate(q: Quat, v: V3): V3 {
  const [x, y, z] = mul(mul(q, [v[0], v[1], v[2], 0]), [-q[0], -q[1], -q[2], q[3]]);
  return [x, y, z];
}

/**
 * The Duck with two camera nodes added: `front` looks at the Duck's centre from a yaw of `yawDeg` and a pitch
 * of −20°, `behind` from the opposite side. Returns the GLB and, per camera, the manifest-shaped camera
 * computed here from the quaternion (independently of `gltf-camera.ts`) for the CPU rasteriser.
 */
async function duckWithCameras(yawDeg: number) {
  const io = await createGltfIO();
  const document = await io.readBinary(await readFile(fixturePath('Duck')));
  const scene = loadScene(document);
  const { min, max } = scene.bounds;
  const centre: V3 = [(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2];
  const radius = Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]) / 2;
  const yfov = 0.7;
  const cameras = [
    ['front', yawDeg],
    ['behind', yawDeg + 180],
  ].map(([name, yaw]) => {
    const rotation = mul(quat([0, 1, 0], (yaw as number) * deg), quat([1, 0, 0], -20 * deg));
    const back = rotate(rotation, [0, 0, 1]);
    const distance = (radius / Math.sin(yfov / 2)) * 1.1;
    const eye: V3 = [
      centre[0] + back[0] * distance,
      centre[1] + back[1] * distance,
      centre[2] + back[2] * distance,
    ];
    const camera = document
      .createCamera(name as string)
      .setYFov(yfov)
      .setZNear(distance / 20)
      .setZFar(distance * 3);
    const node = document
      .createNode(`${name}-node`)
      .setCamera(camera)
      .setTranslation(eye)
      .setRotation(rotation);
    document.getRoot().getDefaultScene()!.addChild(node);
    const t = Math.tan(yfov / 2);
    return {
      name: name as string,
      camera: {
        eye,
        target: centre,
        up: rotate(rotation, [0, 1, 0]),
        frustum: { left: -t, right: t, bottom: -t, top: t },
        near: distance / 20,
        far: distance * 3,
        verticalFovDeg: yfov / deg,
        axisOrigin: centre,
      },
    };
  });
  const bytes = await io.writeBinary(document);
  return { bytes, cameras, scene: loadScene(await readModel({ bytes, name: 'duck-cameras.glb' })) };
}

describe('renderCameraViews', () => {
  it('renders every camera of the scene in scene order when none is named', async () => {
    const duck = await duckWithCameras(0);
    const frames = await renderCameraViews(
      { bytes: duck.bytes, uri: 'duck-cameras.glb' },
      { gpu, resolution: 64 },
    );
    // The Duck sample ships with a camera of its own, before the two added.
    expect(frames.map((frame) => frame.camera)).toEqual(['camera0', 'front', 'behind']);
  });

  it("renders through the file's own cameras: silhouettes match an independent CPU rasterisation", async () => {
    const duck = await duckWithCameras(35);
    const frames = await renderCameraViews(
      { bytes: duck.bytes, uri: 'duck-cameras.glb' },
      { gpu, resolution: SIZE, background: 'transparent', cameras: ['front', 'behind'] },
    );
    expect(frames.map((frame) => frame.camera)).toEqual(['front', 'behind']);
    const triangles = sceneTriangles(duck.scene);
    const references = duck.cameras.map(({ camera }) => cpuRasterize(triangles, camera, 0, SIZE).coverage);
    for (const [k, frame] of frames.entries()) {
      expect(frame.rgba.byteLength).toBe(SIZE * SIZE * 4);
      const mask = alphaMask(frame.rgba);
      const right = maskIoU(mask, references[k]!);
      // The other camera's view: the Duck seen from behind is mirrored, so a wrong pick scores low.
      const wrong = maskIoU(mask, references[1 - k]!);
      expect(right, `${frame.camera} IoU`).toBeGreaterThanOrEqual(0.97);
      expect(wrong, `${frame.camera} against the other camera`).toBeLessThan(0.9);
      expect(mask.reduce((sum, value) => sum + value, 0)).toBeGreaterThan(SIZE * SIZE * 0.1);
    }
  });

  it('renders the cameras asked for, in that order, on the background asked for', async () => {
    const duck = await duckWithCameras(-60);
    const frames = await renderCameraViews(
      { bytes: duck.bytes, uri: 'duck-cameras.glb' },
      { gpu, resolution: SIZE, background: '#ffffff', cameras: ['behind'] },
    );
    expect(frames.map((frame) => frame.camera)).toEqual(['behind']);
    const rgba = frames[0]!.rgba;
    expect([rgba[0], rgba[1], rgba[2], rgba[3]]).toEqual([255, 255, 255, 255]);
    const mask = backgroundMask(rgba);
    const reference = cpuRasterize(sceneTriangles(duck.scene), duck.cameras[1]!.camera, 0, SIZE).coverage;
    expect(maskIoU(mask, reference)).toBeGreaterThanOrEqual(0.95);
  });

  it.each([
    // each row: the request, and what the error names
    [
      'a camera the file lacks',
      { cameras: ['top'] },
      /has no camera named top; its cameras are camera0, front, behind/,
    ],
    ['a malformed background', { background: 'white' }, /neither #rrggbb nor transparent/],
  ])('refuses %s', async (_, options, message) => {
    const duck = await duckWithCameras(0);
    const rendering = renderCameraViews({ bytes: duck.bytes, uri: 'duck-cameras.glb' }, { gpu, ...options });
    await expect(rendering).rejects.toThrow(message);
    await expect(rendering).rejects.toBeInstanceOf(RenderError);
  });

  it('refuses a model without cameras, naming the turntable instead', async () => {
    const path = fixturePath('Box');
    await expect(renderCameraViews({ bytes: await readFile(path), uri: path }, { gpu })).rejects.toThrow(
      /defines no camera in its scene/,
    );
  });

  it('the Mixer from camera0 has the silhouette of its 3D Commerce reference render', async () => {
    const path = fixturePath('Mixer');
    const [frame] = await renderCameraViews(
      { bytes: await readFile(path), uri: path },
      { gpu, resolution: SIZE, cameras: ['camera0'] },
    );
    const { data } = await sharp(join(path, '../../rr-Mixer-0.png'))
      .resize(SIZE, SIZE, { kernel: 'nearest' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const iou = maskIoU(backgroundMask(frame!.rgba), backgroundMask(new Uint8Array(data)));
    expect(iou).toBeGreaterThanOrEqual(0.95);
  });
});
