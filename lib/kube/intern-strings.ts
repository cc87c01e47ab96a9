/**
 * String interning for cached objects. `JSON.parse` gives every string value of every object its own copy,
 * so a cache of 100,000 published assets holds 100,000 copies of each condition reason, label value, API
 * version, namespace and timestamp. Interning swaps each copy for V8's one internalized string of that
 * value (the string table property names live in), so equal values share one copy.
 *
 * V8's string table holds its strings weakly: an interned value no cached object uses any more is
 * collected, so nothing here grows with the objects that pass through it.
 */

/**
 * A dictionary-mode object whose only job is to turn a string into a property name: V8 stores property
 * names internalized, and `for…in` gives back the stored name.
 */
const names: Record<string, 0> = Object.create(null);

/** The internalized string equal to `value`. */
export function internString(value: string): string {
  names[value] = 0;
  for (const name in names) {
    delete names[name];
    return name;
  }
  return value;
}

/**
 * Replaces every string value in `value` (deeply: object properties and array items) with its interned
 * copy, in place, and returns `value`. Every string is replaced by an equal one, so no reader can tell the
 * difference; call it on objects the caller owns (a freshly parsed or freshly transformed object), never
 * on frozen ones.
 */
export function internStrings<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (typeof item === 'string') value[index] = internString(item);
      else internStrings(item);
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (typeof item === 'string') record[key] = internString(item);
    else internStrings(item);
  }
  return value;
}
