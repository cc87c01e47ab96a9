/**
 * The validation policy: every limit a delivery is held to. Defaults come from e-commerce 3D guidelines;
 * docs/validation.md cites the source of each one. A policy YAML overrides any subset (see load-policy.ts).
 */

/** Limits of the safe unzip. */
export interface ArchivePolicy {
  /** Largest delivery ZIP accepted, in bytes. */
  maxArchiveBytes: number;
  /** Most entries (files and folders) in the ZIP. */
  maxEntries: number;
  /** Largest single file once extracted, in bytes. */
  maxEntryBytes: number;
  /** Largest sum of extracted sizes, in bytes. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of an entry (checked for entries above `ratioMinBytes`). */
  maxCompressionRatio: number;
  /** Entries smaller than this once extracted are not held to the ratio (tiny text files compress well). */
  ratioMinBytes: number;
  /** Deepest archive nesting: 1 means the delivery itself and no archive inside it. */
  maxArchiveDepth: number;
  /** Longest entry name, in bytes. */
  maxNameBytes: number;
  /** Most folder levels in an entry name. */
  maxPathDepth: number;
}

/**
 * Limits on the model file, checked on its headers and JSON before anything is parsed or decoded, so that
 * no declared size makes the validator allocate more than these (see docs/validation.md, "Memory").
 */
export interface ModelPolicy {
  /** Largest model file, in bytes. */
  maxModelBytes: number;
  /** Largest JSON of the model (the GLB's JSON chunk), in bytes; `data:` URIs count, as they live in it. */
  maxJsonBytes: number;
  /** Deepest nesting of arrays and objects in the JSON (a real glTF is about 8 deep). */
  maxJsonDepth: number;
  /**
   * Largest data the model declares, in bytes: the sum of buffer `byteLength`s, of the decoded payloads of
   * `data:` URIs, and, separately, of the bytes its accessors unpack to (sparse accessors allocate
   * `count` elements whatever their buffers hold).
   */
  maxDeclaredBytes: number;
}

/** Limits of the cleanup stage (geometry). */
export interface CleanupPolicy {
  maxTriangles: number;
  maxVertices: number;
  /** Largest share of degenerate (zero-area) triangles before it is an error (0–1). */
  maxDegenerateShare: number;
  /** Smallest and largest bounding-box extent on any axis, in metres. */
  minExtentMeters: number;
  maxExtentMeters: number;
  /** How far the base centre may sit from the origin, as a share of the largest extent. */
  originTolerance: number;
}

/** Limits of the UV stage. */
export interface UvPolicy {
  /** Largest share of textured triangles whose UV area is zero (0–1). */
  maxZeroAreaShare: number;
  /** UVs outside [−margin, 1 + margin] raise UV_OUT_OF_RANGE. */
  rangeMargin: number;
}

/** Limits of the texturing stage. */
export interface TexturingPolicy {
  /** Largest texture width or height, in pixels. */
  maxTextureSize: number;
  /** Whether textures must be powers of two. */
  requirePowerOfTwo: boolean;
  /** Largest total GPU memory of all textures (RGBA8 with mipmaps), in bytes. */
  maxTextureMemoryBytes: number;
  /** Base-colour luminance range (sRGB 0–255) for PBR-safe colours. */
  baseColorLuminance: { min: number; max: number };
}

/** Limits of the reference photos. */
export interface ReferencesPolicy {
  minCount: number;
  /** Smallest shorter side of a reference photo, in pixels. */
  minShortSide: number;
}

/** Limits of the storefront-optimised GLB. */
export interface WebPolicy {
  /** Texture size the web GLB is resized to. */
  maxTextureSize: number;
  /** Geometry compression of the web GLB. */
  compression: 'meshopt' | 'draco' | 'none';
}

/** The whole policy. */
export interface Policy {
  archive: ArchivePolicy;
  model: ModelPolicy;
  cleanup: CleanupPolicy;
  uv: UvPolicy;
  texturing: TexturingPolicy;
  references: ReferencesPolicy;
  web: WebPolicy;
  /** Severity overrides by finding code (e.g. `CLEANUP_NAMES: warning`, `GLTF_NODE_EMPTY: error`). */
  severities: Record<string, 'error' | 'warning' | 'info'>;
}

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
  severities: {},
};
