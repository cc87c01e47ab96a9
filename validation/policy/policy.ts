/**
 * The validation policy: every limit a delivery is held to. Defaults come from e-commerce 3D guidelines;
 * docs/validation.md cites the source of each one. A policy YAML overrides any subset (see load-policy.ts).
 */
import Type, { type Static } from 'typebox';

const int = (minimum: number, maximum?: number) =>
  Type.Integer(maximum === undefined ? { minimum } : { minimum, maximum });
const share = () => Type.Number({ minimum: 0, maximum: 1 });
const section = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

/**
 * The schema of the whole policy, written once in TypeBox: the types below and the override file's schema
 * (every field optional) are derived from it.
 */
export const POLICY_SCHEMA = section({
  /** Limits of the safe unzip. */
  archive: section({
    /** Largest delivery ZIP accepted, in bytes. */
    maxArchiveBytes: int(1),
    /** Most entries (files and folders) in the ZIP. */
    maxEntries: int(1),
    /** Largest single file once extracted, in bytes. */
    maxEntryBytes: int(1),
    /** Largest sum of extracted sizes, in bytes. */
    maxTotalBytes: int(1),
    /** Largest uncompressed/compressed ratio of an entry (checked for entries above `ratioMinBytes`). */
    maxCompressionRatio: Type.Number({ minimum: 1 }),
    /** Entries smaller than this once extracted are not held to the ratio (tiny text files compress well). */
    ratioMinBytes: int(0),
    /** Deepest archive nesting: 1 means the delivery itself and no archive inside it. */
    maxArchiveDepth: int(1, 4),
    /** Longest entry name, in bytes. */
    maxNameBytes: int(16, 4096),
    /** Most folder levels in an entry name. */
    maxPathDepth: int(1, 32),
  }),
  /**
   * Limits on the model file, checked on its headers and JSON before anything is parsed or decoded, so that
   * no declared size makes the validator allocate more than these (see docs/validation.md, "Memory").
   */
  model: section({
    /** Largest model file, in bytes. */
    maxModelBytes: int(1),
    /** Largest JSON of the model (the GLB's JSON chunk), in bytes; `data:` URIs count, as they live in it. */
    maxJsonBytes: int(1),
    /** Deepest nesting of arrays and objects in the JSON (a real glTF is about 8 deep). */
    maxJsonDepth: int(8, 1_000_000),
    /**
     * Largest data the model declares, in bytes: the sum of buffer `byteLength`s, of the decoded payloads of
     * `data:` URIs, and, separately, of the bytes its accessors unpack to (sparse accessors allocate
     * `count` elements whatever their buffers hold).
     */
    maxDeclaredBytes: int(1),
  }),
  /** Limits of the cleanup stage (geometry). */
  cleanup: section({
    maxTriangles: int(1),
    maxVertices: int(1),
    /** Largest share of degenerate (zero-area) triangles before it is an error (0–1). */
    maxDegenerateShare: share(),
    /** Smallest and largest bounding-box extent on any axis, in metres. */
    minExtentMeters: Type.Number({ exclusiveMinimum: 0 }),
    maxExtentMeters: Type.Number({ exclusiveMinimum: 0 }),
    /** How far the base centre may sit from the origin, as a share of the largest extent. */
    originTolerance: share(),
  }),
  /** Limits of the UV stage. */
  uv: section({
    /** Largest share of textured triangles whose UV area is zero (0–1). */
    maxZeroAreaShare: share(),
    /** UVs outside [−margin, 1 + margin] raise UV_OUT_OF_RANGE. */
    rangeMargin: Type.Number({ minimum: 0 }),
  }),
  /** Limits of the texturing stage. */
  texturing: section({
    /** Largest texture width or height, in pixels. */
    maxTextureSize: int(1, 16384),
    /** Whether textures must be powers of two. */
    requirePowerOfTwo: Type.Boolean(),
    /** Largest total GPU memory of all textures (RGBA8 with mipmaps), in bytes. */
    maxTextureMemoryBytes: int(1),
    /** Base-colour luminance range (sRGB 0–255) for PBR-safe colours. */
    baseColorLuminance: section({
      min: Type.Number({ minimum: 0, maximum: 255 }),
      max: Type.Number({ minimum: 0, maximum: 255 }),
    }),
  }),
  /** Limits of the reference photos. */
  references: section({
    minCount: int(0),
    /** Smallest shorter side of a reference photo, in pixels. */
    minShortSide: int(0),
  }),
  /** Limits of the storefront-optimised GLB. */
  web: section({
    /** Texture size the web GLB is resized to. */
    maxTextureSize: int(16, 16384),
    /** Geometry compression of the web GLB. */
    compression: Type.Enum(['meshopt', 'draco', 'none']),
  }),
  /**
   * Mechanical repairs that may produce a repaired candidate beside the artist's delivery (see
   * docs/validation.md, "Repairs"); an empty list turns repairs off.
   */
  repair: section({
    allowed: Type.Array(Type.Enum(['unit-scale', 'recenter', 'downsize-textures']), { uniqueItems: true }),
    /** Unit factors tried, in order, when the model's scale is off (0.01: centimetres, 0.001: millimetres, 0.0254: inches). */
    unitFactors: Type.Array(Type.Number({ exclusiveMinimum: 0 }), { maxItems: 8 }),
  }),
  /** Severity overrides by finding code (e.g. `CLEANUP_NAMES: warning`, `GLTF_NODE_EMPTY: error`). */
  severities: Type.Record(
    Type.String({ pattern: '^[A-Z][A-Z0-9_]+$' }),
    Type.Enum(['error', 'warning', 'info']),
  ),
});

/** The whole policy. */
export type Policy = Static<typeof POLICY_SCHEMA>;
export type ArchivePolicy = Policy['archive'];
export type ModelPolicy = Policy['model'];
export type CleanupPolicy = Policy['cleanup'];
export type UvPolicy = Policy['uv'];
export type TexturingPolicy = Policy['texturing'];
export type ReferencesPolicy = Policy['references'];
export type WebPolicy = Policy['web'];
export type RepairPolicy = Policy['repair'];

const MiB = 1024 * 1024;

/** The default policy (sources in docs/validation.md). */
export const DEFAULT_POLICY: Policy = {
  archive: {
    maxArchiveBytes: 512 * MiB,
    maxEntries: 1000,
    maxEntryBytes: 256 * MiB,
    maxTotalBytes: 1024 * MiB,
    maxCompressionRatio: 200,
    ratioMinBytes: 1 * MiB,
    maxArchiveDepth: 1,
    maxNameBytes: 255,
    maxPathDepth: 4,
  },
  model: {
    maxModelBytes: 64 * MiB,
    maxJsonBytes: 8 * MiB,
    maxJsonDepth: 64,
    maxDeclaredBytes: 64 * MiB,
  },
  cleanup: {
    maxTriangles: 100_000,
    maxVertices: 150_000,
    maxDegenerateShare: 0.001,
    minExtentMeters: 0.01,
    maxExtentMeters: 10,
    originTolerance: 0.05,
  },
  uv: { maxZeroAreaShare: 0.01, rangeMargin: 0.001 },
  texturing: {
    maxTextureSize: 2048,
    requirePowerOfTwo: true,
    maxTextureMemoryBytes: 128 * MiB,
    baseColorLuminance: { min: 30, max: 243 },
  },
  references: { minCount: 1, minShortSide: 512 },
  web: { maxTextureSize: 2048, compression: 'meshopt' },
  repair: { allowed: ['unit-scale', 'recenter', 'downsize-textures'], unitFactors: [0.01, 0.001, 0.0254] },
  severities: {},
};
