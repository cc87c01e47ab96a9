/**
 * Condition helpers following the Kubernetes API conventions: one entry per type, `lastTransitionTime`
 * moving only when the status value flips, `observedGeneration` on every entry.
 */
import type { Condition } from './resources.ts';

/** A condition as a controller decides it, before times and generations are filled in. */
export interface DesiredCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/**
 * Merges `desired` into `current`: keeps `lastTransitionTime` of an entry whose status did not change,
 * stamps `now` on one that flipped or is new. Order follows `desired`; types not desired are dropped.
 *
 * @example
 * ```ts
 * mergeConditions(old, [{ type: 'Ready', status: 'True', reason: 'Published', message: '' }], 3, now)
 * ```
 */
export function mergeConditions(
  current: readonly Condition[] | undefined,
  desired: readonly DesiredCondition[],
  generation: number,
  now: string,
): Condition[] {
  return desired.map((want) => {
    const previous = current?.find((condition) => condition.type === want.type);
    const lastTransitionTime =
      previous && previous.status === want.status ? previous.lastTransitionTime : now;
    return {
      type: want.type,
      status: want.status,
      observedGeneration: generation,
      lastTransitionTime,
      reason: want.reason,
      message: want.message,
    };
  });
}

/** The condition of `type`, if present. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/** True when the condition of `type` is present and `True`. */
export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * Deep equality of JSON values, ignoring object key order; decides whether a status write is needed.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => jsonEqual(item, other[index]));
  }
  const left = Object.entries(a as Record<string, unknown>).filter(([, value]) => value !== undefined);
  const right = Object.entries(b as Record<string, unknown>).filter(([, value]) => value !== undefined);
  if (left.length !== right.length) return false;
  const rightMap = new Map(right);
  return left.every(([key, value]) => rightMap.has(key) && jsonEqual(value, rightMap.get(key)));
}
