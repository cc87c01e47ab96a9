import { describe, expect, it } from 'vitest';
import { parseRenderManifest, RENDER_MANIFEST_API_VERSION, type RenderManifest } from './render-manifest.ts';

function manifest(): RenderManifest {
  return {
    apiVersion: RENDER_MANIFEST_API_VERSION,
    source: {
      uri: 's3://shazam-assets/assets/B0CHAIR001/versions/1/model.glb',
      bytes: 1664,
      sha256: 'a'.repeat(64),
    },
    settings: {
      frames: 2,
      resolution: 256,
      elevationDeg: 15,
      background: 'transparent',
      preset: null,
      formats: ['webp'],
      msaaSamples: 4,
      fill: 0.9,
    },
    camera: {
      eye: [0, 1, 3],
      target: [0, 0, 0],
      up: [0, 1, 0],
      frustum: { left: -0.3, right: 0.3, bottom: -0.3, top: 0.3 },
      near: 1,
      far: 5,
      verticalFovDeg: 33.4,
      axisOrigin: [0, 0, 0],
    },
    adapter: {
      backend: 'opengles',
      vendor: '',
      architecture: '',
      device: 'llvmpipe',
      description: 'OpenGL ES 3.2 Mesa',
      software: true,
      featureLevel: 'compatibility',
    },
    scene: {
      triangles: 12,
      vertices: 24,
      primitives: 1,
      materials: 1,
      textures: 0,
      extensionsUsed: [],
      bounds: { min: [-0.5, -0.5, -0.5], max: [0.5, 0.5, 0.5] },
    },
    frames: [
      { index: 0, angleDeg: 0, fill: 0.9, files: { webp: '360/000.webp' } },
      { index: 1, angleDeg: 180, fill: 0.9, files: { webp: '360/001.webp' } },
    ],
    poster: 'poster.webp',
    descriptors: 'descriptors.json',
    fillCheck: null,
    timings: {
      startedAt: '2026-01-01T00:00:00.000Z',
      completedAt: '2026-01-01T00:00:01.000Z',
      loadSeconds: 0.1,
      uploadSeconds: 0.1,
      renderSeconds: 0.5,
      framesPerSecond: 4,
      meanFrameRenderMs: 20,
      meanFrameEncodeMs: 10,
    },
    files: [
      { path: '360/000.webp', bytes: 100, contentType: 'image/webp' },
      { path: '360/001.webp', bytes: 100, contentType: 'image/webp' },
      { path: 'descriptors.json', bytes: 100, contentType: 'application/json' },
      { path: 'poster.webp', bytes: 100, contentType: 'image/webp' },
    ],
    renderer: { name: 'shazam-render-job', node: 'v20.0.0', webgpu: '0.6.2', sharp: '0.35.5' },
  };
}

describe('parseRenderManifest', () => {
  it('accepts a valid manifest and returns it', () => {
    const value = manifest();
    expect(parseRenderManifest(JSON.parse(JSON.stringify(value)))).toEqual(value);
  });

  it.each<[string, (m: RenderManifest) => void, RegExp]>([
    ['a wrong apiVersion', (m) => Object.assign(m, { apiVersion: 'v0' }), /apiVersion/],
    ['a resolution over 4096', (m) => Object.assign(m.settings, { resolution: 8192 }), /resolution/],
    ['an unknown backend', (m) => Object.assign(m.adapter, { backend: 'metal' }), /backend/],
    ['a short sha256', (m) => Object.assign(m.source, { sha256: 'abc' }), /sha256/],
    ['fewer frames than settings.frames', (m) => m.frames.pop(), /lists 1 frames but settings.frames is 2/],
    ['frames out of order', (m) => m.frames.reverse(), /frames must be in order/],
    ['a frame file not in files', (m) => m.files.shift(), /360\/000.webp is missing from \/files/],
    ['the poster not in files', (m) => m.files.pop(), /poster.webp is missing/],
    ['an unknown field', (m) => Object.assign(m, { extra: 1 }), /must NOT have additional properties/],
    [
      'a fill miss that misses by nothing',
      (m) =>
        Object.assign(m, {
          fillCheck: {
            required: 0.85,
            min: 0.9,
            passed: true,
            misses: [{ frame: 0, angleDeg: 0, fill: 0.9, shortBy: 0 }],
          },
        }),
      /shortBy/,
    ],
  ])('rejects %s', (_, mutate, message) => {
    const value = manifest();
    mutate(value);
    expect(() => parseRenderManifest(value, 'manifest.json')).toThrow(message);
  });
});
