import { isObject, type KubeSchema, propertySchema } from './kube-schema.ts';

/**
 * Returns a copy of `value` with schema defaults filled in, the way the apiserver defaults a custom
 * resource before validating it: a `null` in a non-nullable field counts as absent, an absent field with a
 * `default` takes a copy of it, and defaulting then continues inside the value just set (so `gpu: {}` with
 * defaults below it comes out complete).
 *
 * Assumptions: `schema` is structural (every object level says its properties); parts of `value` whose
 * type does not match the schema are returned unchanged for validation to report.
 *
 * @example
 * applyDefaults({ type: 'object', properties: { frames: { type: 'integer', default: 36 } } }, {})
 * // → { frames: 36 }
 */
export function applyDefaults(schema: KubeSchema, value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = schema.items;
    return items ? value.map((item) => applyDefaults(items, item)) : value.slice();
  }
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childSchema = propertySchema(schema, key);
    if (child === null && childSchema && !childSchema.nullable) {
      if (childSchema.default !== undefined)
        out[key] = applyDefaults(childSchema, structuredClone(childSchema.default));
      continue;
    }
    out[key] = childSchema ? applyDefaults(childSchema, child) : child;
  }
  for (const [key, childSchema] of Object.entries(schema.properties ?? {})) {
    if (key in out || childSchema.default === undefined) continue;
    if (key in value && value[key] === null && childSchema.nullable) continue;
    out[key] = applyDefaults(childSchema, structuredClone(childSchema.default));
  }
  return out;
}
