import { isDeepStrictEqual } from 'node:util';
import {
  acceptsAnyField,
  childPath,
  indexPath,
  isObject,
  type KubeSchema,
  propertySchema,
  quote,
  type Violation,
} from './kube-schema.ts';

/** The fields of metav1.ObjectMeta; anything else under `metadata` is unknown to the apiserver. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/**
 * Fields of `value` that `schema` does not declare. The apiserver rejects them under strict field
 * validation (kubectl's default) and otherwise drops them silently, so a typo such as `spec.stage` would
 * vanish instead of taking effect: either way the manifest does not say what its author meant.
 */
export function findUnknownFields(schema: KubeSchema, value: unknown, path = ''): Violation[] {
  const found: Violation[] = [];
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items)
      for (const [i, item] of value.entries())
        found.push(...findUnknownFields(items, item, indexPath(path, i)));
    return found;
  }
  if (!isObject(value) || schema.type !== 'object') return found;
  const isRootMetadata = path === 'metadata';
  if (isRootMetadata) {
    for (const key of Object.keys(value)) {
      if (!OBJECT_META_FIELDS.has(key)) found.push(unknown(childPath(path, key)));
    }
    return found;
  }
  if (acceptsAnyField(schema)) return found;
  for (const [key, child] of Object.entries(value)) {
    const childSchema = propertySchema(schema, key);
    const at = childPath(path, key);
    if (!childSchema) found.push(unknown(at));
    else found.push(...findUnknownFields(childSchema, child, at));
  }
  return found;
}

function unknown(field: string): Violation {
  return {
    field,
    message: `unknown field ${quote(field)}: the apiserver rejects it (kubectl's strict validation) or drops it; check its spelling and level`,
    check: 'decode',
  };
}

/**
 * Duplicates in lists declared `x-kubernetes-list-type: set` (equal items) or `map` (equal map keys),
 * which the apiserver refuses with `Duplicate value`.
 */
export function findListDuplicates(schema: KubeSchema, value: unknown, path = ''): Violation[] {
  const found: Violation[] = [];
  if (Array.isArray(value)) {
    const listType = schema['x-kubernetes-list-type'];
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen: unknown[] = [];
    value.forEach((item, i) => {
      const identity =
        listType === 'map' && isObject(item) ? Object.fromEntries(keys.map((k) => [k, item[k]])) : item;
      if (listType === 'set' || listType === 'map') {
        if (seen.some((s) => isDeepStrictEqual(s, identity))) {
          found.push({
            field: indexPath(path, i),
            message: `Duplicate value: ${quote(identity)}`,
            check: 'list',
          });
        }
        seen.push(identity);
      }
      if (schema.items) found.push(...findListDuplicates(schema.items, item, indexPath(path, i)));
    });
    return found;
  }
  if (!isObject(value)) return found;
  for (const [key, child] of Object.entries(value)) {
    const childSchema = propertySchema(schema, key);
    if (childSchema) found.push(...findListDuplicates(childSchema, child, childPath(path, key)));
  }
  return found;
}
