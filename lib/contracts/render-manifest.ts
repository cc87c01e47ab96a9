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
import Type, { type Static } from 'typebox';

/** The `apiVersion` of every render manifest. */
export const RENDER_MANIFEST_API_VERSION = 'shazam.dev/render-manifest/v1';

const closed = { additionalProperties: false } as const;
const nonNegative = () => Type.Number({ minimum: 0 });
const share = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

const Vector3Schema = Type.Tuple([Type.Number(), Type.Number(), Type.Number()]);
/** A 3-vector. */
export type Vector3 = Static<typeof Vector3Schema>;

const RenderAdapterSchema = Type.Object(
  {
    /** Dawn backend: `vulkan` on a GPU node, `opengles` on the software path. */
    backend: Type.Union([Type.Literal('vulkan'), Type.Literal('opengles')]),
    vendor: Type.String(),
    architecture: Type.String(),
    device: Type.String(),
    description: Type.String(),
    /** True when a CPU rasteriser (llvmpipe, lavapipe, SwiftShader) rendered. */
    software: Type.Boolean(),
    /** WebGPU feature level the device was opened with. */
    featureLevel: Type.Union([Type.Literal('core'), Type.Literal('compatibility')]),
  },
  closed,
);
/** The adapter that rendered the frames. */
export type RenderAdapter = Static<typeof RenderAdapterSchema>;

const RenderCameraSchema = Type.Object(
  {
    eye: Vector3Schema,
    target: Vector3Schema,
    up: Vector3Schema,
    /** Off-axis frustum window at unit distance in view space (tangents; x right, y up). Authoritative. */
    frustum: Type.Object(
      { left: Type.Number(), right: Type.Number(), bottom: Type.Number(), top: Type.Number() },
      closed,
    ),
    near: Type.Number({ exclusiveMinimum: 0 }),
    far: Type.Number({ exclusiveMinimum: 0 }),
    /** Equivalent vertical field of view in degrees, for people. */
    verticalFovDeg: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 180 }),
    /** A point on the vertical turntable axis. Frame k turns the model by `angleDeg` about it, counter-clockwise seen from above. */
    axisOrigin: Vector3Schema,
  },
  closed,
);
/** The fixed camera of the turntable. World space: +Y up, +Z front, metres. */
export type RenderCamera = Static<typeof RenderCameraSchema>;

const RenderFrameSchema = Type.Object(
  {
    /** 0-based; frame 0 shows the model's front (+Z) facing the camera. */
    index: Type.Integer({ minimum: 0 }),
    /** Turntable angle, degrees in [0, 360), counter-clockwise seen from above. */
    angleDeg: Type.Number({ minimum: 0, exclusiveMaximum: 360 }),
    /** Share of the frame the product's largest extent fills (0–1). */
    fill: share('share of the frame the product fills'),
    /** Output paths relative to the manifest's folder, per format. */
    files: Type.Object(
      { webp: Type.Optional(Type.String()), png: Type.Optional(Type.String()) },
      { ...closed, minProperties: 1 },
    ),
  },
  closed,
);
/** One turntable frame. */
export type RenderFrame = Static<typeof RenderFrameSchema>;

const RenderFileSchema = Type.Object(
  {
    path: Type.String({ minLength: 1 }),
    bytes: Type.Integer({ minimum: 0 }),
    contentType: Type.String({ minLength: 1 }),
  },
  closed,
);
/** One file written by the render, relative to the manifest's folder. */
export type RenderFile = Static<typeof RenderFileSchema>;

const FillMissSchema = Type.Object(
  {
    /** Frame index. */
    frame: Type.Integer({ minimum: 0 }),
    /** Turntable angle of that frame, degrees. */
    angleDeg: Type.Number({ minimum: 0, exclusiveMaximum: 360 }),
    /** The frame's fill. */
    fill: share('the frame fill'),
    /** `required − fill`: how far the frame falls short. */
    shortBy: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
  },
  closed,
);
/** A frame that misses the preset's required fill, and by how much. */
export type RenderFillMiss = Static<typeof FillMissSchema>;

const RenderFillCheckSchema = Type.Object(
  {
    /** Minimum fill every frame must reach. */
    required: share('required fill'),
    /** The smallest fill of any frame. */
    min: share('smallest fill'),
    /**
     * The largest fill of any frame. Amazon's 360° View spec asks for `required` in at least one of the
     * frames (`max ≥ required`); `passed` is the stricter every-frame rule. Absent in older manifests.
     */
    max: Type.Optional(share('largest fill')),
    /** True when every frame reaches `required`. */
    passed: Type.Boolean(),
    /** Every frame under `required`, in frame order (empty when passed). */
    misses: Type.Array(FillMissSchema, { maxItems: 720 }),
  },
  closed,
);
/** The preset's fill check: every frame must fill at least `required`. */
export type RenderFillCheck = Static<typeof RenderFillCheckSchema>;

const RenderTimingsSchema = Type.Object(
  {
    startedAt: Type.String({ minLength: 20 }),
    completedAt: Type.String({ minLength: 20 }),
    loadSeconds: nonNegative(),
    uploadSeconds: nonNegative(),
    /** Wall time from the first frame's render to the last frame's encode. */
    renderSeconds: nonNegative(),
    framesPerSecond: nonNegative(),
    /** Mean GPU render + readback time of one frame. */
    meanFrameRenderMs: nonNegative(),
    /** Mean encode time of one frame (all formats, poster and descriptor), measured off the render loop. */
    meanFrameEncodeMs: nonNegative(),
    /** Frames encoded at once (the encode stage's width, from the CPUs and memory the process may use). */
    encodeConcurrency: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  closed,
);
/** Where the time went. */
export type RenderTimings = Static<typeof RenderTimingsSchema>;

const RenderSettingsSchema = Type.Object(
  {
    frames: Type.Integer({ minimum: 1, maximum: 720 }),
    resolution: Type.Integer({ minimum: 16, maximum: 4096 }),
    elevationDeg: Type.Number({ minimum: -89, maximum: 89 }),
    /** `#rrggbb` or `transparent`. */
    background: Type.String({ pattern: '^(#[0-9a-fA-F]{6}|transparent)$' }),
    preset: Type.Union([Type.Literal('amazon-360'), Type.Null()]),
    formats: Type.Array(Type.Union([Type.Literal('webp'), Type.Literal('png')]), {
      minItems: 1,
      uniqueItems: true,
    }),
    msaaSamples: Type.Union([Type.Literal(1), Type.Literal(4)]),
    /** Share of the frame the framing aims for, in the frame where the product is largest. */
    fill: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
  },
  closed,
);

/** JSON schema of {@link RenderManifest}; the TypeScript type is derived from it. */
export const RENDER_MANIFEST_SCHEMA = Type.Object(
  {
    apiVersion: Type.Literal(RENDER_MANIFEST_API_VERSION),
    /** The GLB that was rendered. */
    source: Type.Object(
      {
        uri: Type.String({ minLength: 1 }),
        bytes: Type.Integer({ minimum: 0 }),
        sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
      },
      closed,
    ),
    /** Settings after defaults and the preset were applied. */
    settings: RenderSettingsSchema,
    camera: RenderCameraSchema,
    adapter: RenderAdapterSchema,
    /** Scene statistics. */
    scene: Type.Object(
      {
        triangles: Type.Integer({ minimum: 1 }),
        vertices: Type.Integer({ minimum: 3 }),
        primitives: Type.Integer({ minimum: 1 }),
        materials: Type.Integer({ minimum: 1 }),
        textures: Type.Integer({ minimum: 0 }),
        extensionsUsed: Type.Array(Type.String()),
        bounds: Type.Object({ min: Vector3Schema, max: Vector3Schema }, closed),
      },
      closed,
    ),
    frames: Type.Array(RenderFrameSchema, { minItems: 1, maxItems: 720 }),
    /** Poster image path (frame 0's view). */
    poster: Type.String({ minLength: 1 }),
    /** `descriptors.json` path (`DescriptorSet`). */
    descriptors: Type.String({ minLength: 1 }),
    /** The preset's fill check; null without a preset. */
    fillCheck: Type.Union([Type.Null(), RenderFillCheckSchema]),
    timings: RenderTimingsSchema,
    /** Every file written, the manifest excepted. */
    files: Type.Array(RenderFileSchema),
    /** Versions of what rendered. */
    renderer: Type.Object(
      { name: Type.String(), node: Type.String(), webgpu: Type.String(), sharp: Type.String() },
      closed,
    ),
  },
  { ...closed, $id: 'https://shazam.dev/schemas/render-manifest-v1.json' },
);

/** The render manifest, as {@link RENDER_MANIFEST_SCHEMA} describes it. */
export type RenderManifest = Static<typeof RENDER_MANIFEST_SCHEMA>;

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
