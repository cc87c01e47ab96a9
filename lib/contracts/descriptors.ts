/**
 * `descriptors.json`: the photo-search descriptors of one rendered version, written by the renderer next to
 * the turntable frames and read by the search API when it indexes a published asset.
 *
 * @example
 * ```json
 * {
 *   "apiVersion": "shazam.dev/descriptors/v1",
 *   "descriptorVersion": "colour-shape-v1",
 *   "dims": 452,
 *   "frames": [{ "index": 0, "angleDeg": 0, "vector": [0.01, 0.2] }]
 * }
 * ```
 */
import { Ajv } from 'ajv';

/** The `apiVersion` of every descriptors document. */
export const DESCRIPTOR_SET_API_VERSION = 'shazam.dev/descriptors/v1';

/** The descriptor of one turntable frame. */
export interface FrameDescriptor {
  /** Frame number in the turntable (0 faces the camera), the same as the frame's file name. */
  index: number;
  /** Turntable angle of the frame in degrees, counter-clockwise from the front, in [0, 360). */
  angleDeg: number;
  /** The L2-normalised descriptor, `dims` numbers long. */
  vector: number[];
}

/** The descriptors of every frame of one render. */
export interface DescriptorSet {
  /** Always {@link DESCRIPTOR_SET_API_VERSION}. */
  apiVersion: typeof DESCRIPTOR_SET_API_VERSION;
  /** `DESCRIPTOR_VERSION` of the descriptor function that computed the vectors; readers skip other versions. */
  descriptorVersion: string;
  /** Length of every vector. */
  dims: number;
  /** One entry per frame, in frame order. */
  frames: FrameDescriptor[];
}

/** JSON schema of {@link DescriptorSet} (draft 2020-12 subset understood by Ajv). */
export const DESCRIPTOR_SET_SCHEMA = {
  $id: 'https://shazam.dev/schemas/descriptors-v1.json',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'descriptorVersion', 'dims', 'frames'],
  properties: {
    apiVersion: { const: DESCRIPTOR_SET_API_VERSION, description: 'Document format version.' },
    descriptorVersion: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'Version of the descriptor function; vectors of other versions are not comparable.',
    },
    dims: { type: 'integer', minimum: 1, maximum: 4096, description: 'Length of every vector.' },
    frames: {
      type: 'array',
      maxItems: 720,
      description: 'One descriptor per turntable frame.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['index', 'angleDeg', 'vector'],
        properties: {
          index: { type: 'integer', minimum: 0, maximum: 9999, description: 'Frame number.' },
          angleDeg: { type: 'number', minimum: 0, exclusiveMaximum: 360, description: 'Turntable angle.' },
          vector: { type: 'array', items: { type: 'number' }, description: 'L2-normalised descriptor.' },
        },
      },
    },
  },
} as const;

/** Thrown by {@link parseDescriptorSet} for a document that does not follow the contract. */
export class DescriptorSetError extends Error {
  override name = 'DescriptorSetError';
  /** Stable code for logs and metrics. */
  readonly code = 'SHAZAM_DESCRIPTOR_SET_INVALID';
}

const validate = new Ajv({ allErrors: true, strict: false }).compile(DESCRIPTOR_SET_SCHEMA);

/**
 * Validates a parsed `descriptors.json` (schema, every vector `dims` long and finite, frame indexes unique)
 * and returns it typed. Throws a {@link DescriptorSetError} naming the first problems otherwise.
 *
 * @param source where the document came from, for the error message (e.g. its s3:// URI).
 */
export function parseDescriptorSet(value: unknown, source = 'descriptors document'): DescriptorSet {
  if (!validate(value)) {
    const problems = (validate.errors ?? [])
      .slice(0, 5)
      .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
      .join('; ');
    throw new DescriptorSetError(`${source} is not a valid DescriptorSet: ${problems}`);
  }
  const set = value as unknown as DescriptorSet;
  const seen = new Set<number>();
  for (const [position, frame] of set.frames.entries()) {
    if (frame.vector.length !== set.dims) {
      throw new DescriptorSetError(
        `${source}: /frames/${position}/vector has ${frame.vector.length} numbers but dims is ${set.dims}`,
      );
    }
    if (!frame.vector.every(Number.isFinite)) {
      throw new DescriptorSetError(`${source}: /frames/${position}/vector holds a non-finite number`);
    }
    if (seen.has(frame.index)) {
      throw new DescriptorSetError(`${source}: frame index ${frame.index} appears twice`);
    }
    seen.add(frame.index);
  }
  return set;
}

/**
 * Builds a {@link DescriptorSet} from vectors in frame order, as the renderer writes it, and checks it with
 * {@link parseDescriptorSet}. Vectors are rounded to 6 decimals so the JSON stays small and deterministic.
 *
 * @example
 * ```ts
 * buildDescriptorSet(DESCRIPTOR_VERSION, DESCRIPTOR_DIMS, [{ index: 0, angleDeg: 0, vector: computeDescriptor(rgba, w, h) }])
 * ```
 */
export function buildDescriptorSet(
  descriptorVersion: string,
  dims: number,
  frames: ReadonlyArray<{ index: number; angleDeg: number; vector: ArrayLike<number> }>,
): DescriptorSet {
  const set: DescriptorSet = {
    apiVersion: DESCRIPTOR_SET_API_VERSION,
    descriptorVersion,
    dims,
    frames: frames.map((frame) => ({
      index: frame.index,
      angleDeg: frame.angleDeg,
      vector: Array.from(frame.vector, (x) => Math.round(x * 1e6) / 1e6),
    })),
  };
  return parseDescriptorSet(set, 'the built descriptor set');
}
