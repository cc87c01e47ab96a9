import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_POLICY, type Policy } from './policy.ts';

/** Thrown when a policy file cannot be read or does not match the schema; `code` is stable. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  constructor(
    message: string,
    readonly code: 'POLICY_UNREADABLE' | 'POLICY_INVALID',
  ) {
    super(message);
  }
}

const positiveInt = { type: 'integer', minimum: 1 };
const share = { type: 'number', minimum: 0, maximum: 1 };
const section = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
});

/** JSON schema of a policy override file: every field optional, no unknown field allowed. */
export const POLICY_OVERRIDE_SCHEMA = section({
  archive: section({
    maxArchiveBytes: positiveInt,
    maxEntries: positiveInt,
    maxEntryBytes: positiveInt,
    maxTotalBytes: positiveInt,
    maxCompressionRatio: { type: 'number', minimum: 1 },
    ratioMinBytes: { type: 'integer', minimum: 0 },
    maxArchiveDepth: { type: 'integer', minimum: 1, maximum: 4 },
    maxNameBytes: { type: 'integer', minimum: 16, maximum: 4096 },
    maxPathDepth: { type: 'integer', minimum: 1, maximum: 32 },
  }),
  model: section({
    maxModelBytes: positiveInt,
    maxJsonBytes: positiveInt,
    maxJsonDepth: { type: 'integer', minimum: 8, maximum: 1_000_000 },
    maxDeclaredBytes: positiveInt,
  }),
  cleanup: section({
    maxTriangles: positiveInt,
    maxVertices: positiveInt,
    maxDegenerateShare: share,
    minExtentMeters: { type: 'number', exclusiveMinimum: 0 },
    maxExtentMeters: { type: 'number', exclusiveMinimum: 0 },
    originTolerance: share,
  }),
  uv: section({ maxZeroAreaShare: share, rangeMargin: { type: 'number', minimum: 0 } }),
  texturing: section({
    maxTextureSize: { type: 'integer', minimum: 1, maximum: 16384 },
    requirePowerOfTwo: { type: 'boolean' },
    maxTextureMemoryBytes: positiveInt,
    baseColorLuminance: section({
      min: { type: 'number', minimum: 0, maximum: 255 },
      max: { type: 'number', minimum: 0, maximum: 255 },
    }),
  }),
  references: section({
    minCount: { type: 'integer', minimum: 0 },
    minShortSide: { type: 'integer', minimum: 0 },
  }),
  web: section({
    maxTextureSize: { type: 'integer', minimum: 16, maximum: 16384 },
    compression: { enum: ['meshopt', 'draco', 'none'] },
  }),
  severities: {
    type: 'object',
    propertyNames: { pattern: '^[A-Z][A-Z0-9_]+$' },
    additionalProperties: { enum: ['error', 'warning', 'info'] },
  },
});

const validateOverride = new Ajv({ allErrors: true }).compile(POLICY_OVERRIDE_SCHEMA);

type Override = { [K in keyof Policy]?: Partial<Policy[K]> };

/**
 * Merges a parsed policy override (YAML or JSON value) over {@link DEFAULT_POLICY}, after checking it
 * against {@link POLICY_OVERRIDE_SCHEMA}. `source` names the file in error messages.
 */
export function resolvePolicy(override: unknown, source = 'policy'): Policy {
  if (override === null || override === undefined) return structuredClone(DEFAULT_POLICY);
  if (!validateOverride(override)) {
    const problems = (validateOverride.errors ?? [])
      .map((error) => {
        const where = error.instancePath || '(top level)';
        const extra =
          error.keyword === 'additionalProperties'
            ? ` "${String((error.params as { additionalProperty?: string }).additionalProperty)}"`
            : '';
        return `${where} ${error.message ?? 'is invalid'}${extra}`;
      })
      .join('; ');
    throw new PolicyError(
      `${source} is not a valid validation policy: ${problems}. See docs/validation.md for the fields and their bounds.`,
      'POLICY_INVALID',
    );
  }
  const merged = structuredClone(DEFAULT_POLICY);
  const value = override as Override;
  for (const key of Object.keys(value) as (keyof Policy)[]) {
    Object.assign(merged[key], structuredClone(value[key]));
  }
  if (merged.cleanup.minExtentMeters > merged.cleanup.maxExtentMeters) {
    throw new PolicyError(
      `${source}: cleanup.minExtentMeters (${merged.cleanup.minExtentMeters}) exceeds cleanup.maxExtentMeters (${merged.cleanup.maxExtentMeters}).`,
      'POLICY_INVALID',
    );
  }
  if (merged.texturing.baseColorLuminance.min > merged.texturing.baseColorLuminance.max) {
    throw new PolicyError(
      `${source}: texturing.baseColorLuminance.min exceeds texturing.baseColorLuminance.max.`,
      'POLICY_INVALID',
    );
  }
  return merged;
}

/** Reads a policy YAML file and resolves it over the defaults; no path means the defaults. */
export async function loadPolicy(path?: string): Promise<Policy> {
  if (!path) return structuredClone(DEFAULT_POLICY);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PolicyError(
      `cannot read policy file ${path}: ${(error as Error).message}`,
      'POLICY_UNREADABLE',
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new PolicyError(
      `policy file ${path} is not valid YAML: ${(error as Error).message}`,
      'POLICY_INVALID',
    );
  }
  return resolvePolicy(parsed, path);
}
