/**
 * `manifest.json`: what one turntable render produced and how, written last by the renderer under the
 * version's `renders/` prefix. Its presence means every file it lists was written. The operator copies
 * `adapter`, `timings` and the output URIs into the RenderJob's status; the storefront builds the spin
 * from `frames`; tests rebuild the camera from `camera` to check frames against an independent rasteriser.
 *
 * @example
 * ```ts
 * const manifest = parseRenderManifest(JSON.parse(text), 's3://assets/…/renders/manifest.json');
 * manifest.frames[0]?.files.webp // '360/000.webp'
 * ```
 */
import { Ajv } from 'ajv';

/** The `apiVersion` of every render manifest. */
export const RENDER_MANIFEST_API_VERSION = 'shazam.dev/render-manifest/v1';

/** A 3-vector. */
export type Vector3 = [number, number, number];

/** The adapter that rendered the frames. */
export interface RenderAdapter {
  /** Dawn backend: `vulkan` on a GPU node, `opengles` on the software path. */
  backend: 'vulkan' | 'opengles';
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True when a CPU rasteriser (llvmpipe, lavapipe, SwiftShader) rendered. */
  software: boolean;
  /** WebGPU feature level the device was opened with. */
  featureLevel: 'core' | 'compatibility';
}

/** The fixed camera of the turntable. World space: +Y up, +Z front, metres. */
export interface RenderCamera {
  eye: Vector3;
  target: Vector3;
  up: Vector3;
  /** Off-axis frustum window at unit distance in view space (tangents; x right, y up). Authoritative. */
  frustum: { left: number; right: number; bottom: number; top: number };
  near: number;
  far: number;
  /** Equivalent vertical field of view in degrees, for people. */
  verticalFovDeg: number;
  /** A point on the vertical turntable axis. Frame k turns the model by `angleDeg` about it, counter-clockwise seen from above. */
  axisOrigin: Vector3;
}

/** One turntable frame. */
export interface RenderFrame {
  /** 0-based; frame 0 shows the model's front (+Z) facing the camera. */
  index: number;
  /** Turntable angle, degrees in [0, 360), counter-clockwise seen from above. */
  angleDeg: number;
  /** Share of the frame the product's largest extent fills (0–1). */
  fill: number;
  /** Output paths relative to the manifest's folder, per format. */
  files: { webp?: string; png?: string };
}

/** One file written by the render, relative to the manifest's folder. */
export interface RenderFile {
  path: string;
  bytes: number;
  contentType: string;
}

/** The render manifest. */
export interface RenderManifest {
  apiVersion: typeof RENDER_MANIFEST_API_VERSION;
  /** The GLB that was rendered. */
  source: { uri: string; bytes: number; sha256: string };
  /** Settings after defaults and the preset were applied. */
  settings: {
    frames: number;
    resolution: number;
    elevationDeg: number;
    /** `#rrggbb` or `transparent`. */
    background: string;
    preset: 'amazon-360' | null;
    formats: Array<'webp' | 'png'>;
    msaaSamples: number;
    /** Share of the frame the framing aims for, in the frame where the product is largest. */
    fill: number;
  };
  camera: RenderCamera;
  adapter: RenderAdapter;
  /** Scene statistics. */
  scene: {
    triangles: number;
    vertices: number;
    primitives: number;
    materials: number;
    textures: number;
    extensionsUsed: string[];
    bounds: { min: Vector3; max: Vector3 };
  };
  frames: RenderFrame[];
  /** Poster image path (a copy of frame 0's view). */
  poster: string;
  /** `descriptors.json` path (`DescriptorSet`). */
  descriptors: string;
  /** The fill check of the preset: every frame must fill at least `required`. Null without a preset. */
  fillCheck: { required: number; min: number; passed: boolean } | null;
  timings: {
    startedAt: string;
    completedAt: string;
    loadSeconds: number;
    uploadSeconds: number;
    /** Wall time from the first frame's render to the last frame's encode. */
    renderSeconds: number;
    framesPerSecond: number;
    /** Mean GPU render + readback time of one frame. */
    meanFrameRenderMs: number;
    /** Mean encode time of one frame (all formats), measured off the render thread. */
    meanFrameEncodeMs: number;
  };
  /** Every file written, the manifest excepted. */
  files: RenderFile[];
  /** Versions of what rendered. */
  renderer: { name: string; node: string; webgpu: string; sharp: string };
}

const vector3 = { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 } as const;
const nonNegative = { type: 'number', minimum: 0 } as const;

/** JSON schema of {@link RenderManifest}. */
export const RENDER_MANIFEST_SCHEMA = {
  $id: 'https://shazam.dev/schemas/render-manifest-v1.json',
  type: 'object',
  additionalProperties: false,
  required: [
    'apiVersion',
    'source',
    'settings',
    'camera',
    'adapter',
    'scene',
    'frames',
    'poster',
    'descriptors',
    'fillCheck',
    'timings',
    'files',
    'renderer',
  ],
  properties: {
    apiVersion: { const: RENDER_MANIFEST_API_VERSION },
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['uri', 'bytes', 'sha256'],
      properties: {
        uri: { type: 'string', minLength: 1 },
        bytes: { type: 'integer', minimum: 0 },
        sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      },
    },
    settings: {
      type: 'object',
      additionalProperties: false,
      required: [
        'frames',
        'resolution',
        'elevationDeg',
        'background',
        'preset',
        'formats',
        'msaaSamples',
        'fill',
      ],
      properties: {
        frames: { type: 'integer', minimum: 1, maximum: 720 },
        resolution: { type: 'integer', minimum: 16, maximum: 4096 },
        elevationDeg: { type: 'number', minimum: -89, maximum: 89 },
        background: { type: 'string', pattern: '^(#[0-9a-fA-F]{6}|transparent)$' },
        preset: { enum: ['amazon-360', null] },
        formats: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['webp', 'png'] } },
        msaaSamples: { enum: [1, 4] },
        fill: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      },
    },
    camera: {
      type: 'object',
      additionalProperties: false,
      required: ['eye', 'target', 'up', 'frustum', 'near', 'far', 'verticalFovDeg', 'axisOrigin'],
      properties: {
        eye: vector3,
        target: vector3,
        up: vector3,
        frustum: {
          type: 'object',
          additionalProperties: false,
          required: ['left', 'right', 'bottom', 'top'],
          properties: {
            left: { type: 'number' },
            right: { type: 'number' },
            bottom: { type: 'number' },
            top: { type: 'number' },
          },
        },
        near: { type: 'number', exclusiveMinimum: 0 },
        far: { type: 'number', exclusiveMinimum: 0 },
        verticalFovDeg: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 180 },
        axisOrigin: vector3,
      },
    },
    adapter: {
      type: 'object',
      additionalProperties: false,
      required: ['backend', 'vendor', 'architecture', 'device', 'description', 'software', 'featureLevel'],
      properties: {
        backend: { enum: ['vulkan', 'opengles'] },
        vendor: { type: 'string' },
        architecture: { type: 'string' },
        device: { type: 'string' },
        description: { type: 'string' },
        software: { type: 'boolean' },
        featureLevel: { enum: ['core', 'compatibility'] },
      },
    },
    scene: {
      type: 'object',
      additionalProperties: false,
      required: ['triangles', 'vertices', 'primitives', 'materials', 'textures', 'extensionsUsed', 'bounds'],
      properties: {
        triangles: { type: 'integer', minimum: 1 },
        vertices: { type: 'integer', minimum: 3 },
        primitives: { type: 'integer', minimum: 1 },
        materials: { type: 'integer', minimum: 1 },
        textures: { type: 'integer', minimum: 0 },
        extensionsUsed: { type: 'array', items: { type: 'string' } },
        bounds: {
          type: 'object',
          additionalProperties: false,
          required: ['min', 'max'],
          properties: { min: vector3, max: vector3 },
        },
      },
    },
    frames: {
      type: 'array',
      minItems: 1,
      maxItems: 720,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['index', 'angleDeg', 'fill', 'files'],
        properties: {
          index: { type: 'integer', minimum: 0 },
          angleDeg: { type: 'number', minimum: 0, exclusiveMaximum: 360 },
          fill: { type: 'number', minimum: 0, maximum: 1 },
          files: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { webp: { type: 'string' }, png: { type: 'string' } },
          },
        },
      },
    },
    poster: { type: 'string', minLength: 1 },
    descriptors: { type: 'string', minLength: 1 },
    fillCheck: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['required', 'min', 'passed'],
          properties: {
            required: { type: 'number', minimum: 0, maximum: 1 },
            min: { type: 'number', minimum: 0, maximum: 1 },
            passed: { type: 'boolean' },
          },
        },
      ],
    },
    timings: {
      type: 'object',
      additionalProperties: false,
      required: [
        'startedAt',
        'completedAt',
        'loadSeconds',
        'uploadSeconds',
        'renderSeconds',
        'framesPerSecond',
        'meanFrameRenderMs',
        'meanFrameEncodeMs',
      ],
      properties: {
        startedAt: { type: 'string', minLength: 20 },
        completedAt: { type: 'string', minLength: 20 },
        loadSeconds: nonNegative,
        uploadSeconds: nonNegative,
        renderSeconds: nonNegative,
        framesPerSecond: nonNegative,
        meanFrameRenderMs: nonNegative,
        meanFrameEncodeMs: nonNegative,
      },
    },
    files: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'bytes', 'contentType'],
        properties: {
          path: { type: 'string', minLength: 1 },
          bytes: { type: 'integer', minimum: 0 },
          contentType: { type: 'string', minLength: 1 },
        },
      },
    },
    renderer: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'node', 'webgpu', 'sharp'],
      properties: {
        name: { type: 'string' },
        node: { type: 'string' },
        webgpu: { type: 'string' },
        sharp: { type: 'string' },
      },
    },
  },
} as const;

/** Thrown by {@link parseRenderManifest} for a document that does not follow the contract. */
export class RenderManifestError extends Error {
  override name = 'RenderManifestError';
  /** Stable code for logs and metrics. */
  readonly code = 'SHAZAM_RENDER_MANIFEST_INVALID';
}

const validate = new Ajv({ allErrors: true, strict: false }).compile(RENDER_MANIFEST_SCHEMA);

/**
 * Validates a parsed `manifest.json` (schema; frames numbered 0…N−1 in order, as many as `settings.frames`;
 * every frame and the poster listed in `files`) and returns it typed. Throws a {@link RenderManifestError}
 * naming the first problems otherwise.
 *
 * @param source where the document came from, for the error message (e.g. its s3:// URI).
 */
export function parseRenderManifest(value: unknown, source = 'render manifest'): RenderManifest {
  if (!validate(value)) {
    const problems = (validate.errors ?? [])
      .slice(0, 5)
      .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
      .join('; ');
    throw new RenderManifestError(`${source} is not a valid RenderManifest: ${problems}`);
  }
  const manifest = value as unknown as RenderManifest;
  if (manifest.frames.length !== manifest.settings.frames) {
    throw new RenderManifestError(
      `${source}: lists ${manifest.frames.length} frames but settings.frames is ${manifest.settings.frames}`,
    );
  }
  const listed = new Set(manifest.files.map((file) => file.path));
  for (const [position, frame] of manifest.frames.entries()) {
    if (frame.index !== position) {
      throw new RenderManifestError(
        `${source}: /frames/${position} has index ${frame.index}; frames must be in order`,
      );
    }
    for (const path of Object.values(frame.files)) {
      if (!listed.has(path))
        throw new RenderManifestError(`${source}: frame file ${path} is missing from /files`);
    }
  }
  for (const path of [manifest.poster, manifest.descriptors]) {
    if (!listed.has(path)) throw new RenderManifestError(`${source}: ${path} is missing from /files`);
  }
  return manifest;
}
