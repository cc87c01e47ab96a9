import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import Type, { type TSchema } from 'typebox';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_POLICY, POLICY_SCHEMA, type Policy } from './policy.ts';

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

/**
 * JSON schema of a policy override file, derived from {@link POLICY_SCHEMA}: every section and every field
 * optional, no unknown field allowed.
 */
export const POLICY_OVERRIDE_SCHEMA = Type.Partial(
  Type.Object(
    Object.fromEntries(
      Object.entries(POLICY_SCHEMA.properties).map(([key, schema]) => [key, partialSection(schema)]),
    ),
  ),
  { additionalProperties: false },
);

function partialSection(schema: TSchema): TSchema {
  if (!Type.IsObject(schema)) return schema;
  return Type.Partial(
    Type.Object(
      Object.fromEntries(
        Object.entries(schema.properties).map(([key, field]) => [key, partialSection(field as TSchema)]),
      ),
    ),
    { additionalProperties: false },
  );
}

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
    mergeInto(merged[key] as Record<string, unknown>, structuredClone(value[key]) as Record<string, unknown>);
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

/** Copies `source`'s fields over `target`'s, descending into nested sections so a partial one keeps the rest. */
function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    const nested = (item: unknown) => typeof item === 'object' && item !== null && !Array.isArray(item);
    if (nested(current) && nested(value)) {
      mergeInto(current as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
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
