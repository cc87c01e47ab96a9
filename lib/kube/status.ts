import type { KubeClient, ResourceRef } from './client.ts';
import { type Clock, systemClock } from './clock.ts';
import { isConflict } from './errors.ts';
import type { KubeObject } from './object.ts';

/** A status condition as the Kubernetes API conventions define it. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  /** RFC 3339; moves only when `status` changes. */
  lastTransitionTime: string;
}

/** A condition to set; {@link setCondition} fills in `lastTransitionTime`. */
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** A condition as a controller decides it, before the time and the generation are filled in. */
export type DesiredCondition = Omit<ConditionInput, 'observedGeneration'>;

/** Finds the condition of `type`, or `undefined`. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/**
 * Returns `conditions` with `next` set (added or replaced by type), without mutating the input.
 *
 * Guarantees: `lastTransitionTime` is kept from the existing condition unless `status` flips (or the
 * condition is new), in which case it becomes `now`; the order of other conditions is kept.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: ConditionInput,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((condition) => condition.type === next.type);
  const existing = index >= 0 ? list[index] : undefined;
  const lastTransitionTime = existing && existing.status === next.status ? existing.lastTransitionTime : now;
  const condition: Condition = { ...next, lastTransitionTime };
  if (index >= 0) list[index] = condition;
  else list.push(condition);
  return list;
}

/**
 * The condition list a controller decided, merged onto `current`: one entry per desired type, in the
 * desired order (types not desired are dropped), each stamped with `observedGeneration`.
 *
 * Guarantees: as {@link setCondition}, `lastTransitionTime` moves only for an entry whose `status` flipped
 * or that is new.
 *
 * @example
 * ```ts
 * setConditions(old, [{ type: 'Ready', status: 'True', reason: 'Published', message: 'Live' }], 3, now)
 * ```
 */
export function setConditions(
  current: readonly Condition[] | undefined,
  desired: readonly DesiredCondition[],
  observedGeneration: number,
  now: string,
): Condition[] {
  return desired.flatMap((want) => {
    const previous = findCondition(current, want.type);
    return setCondition(previous ? [previous] : [], { ...want, observedGeneration }, now);
  });
}

/** True when the condition of `type` is present and `True`. */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** RFC 3339 at second precision, the format `metav1.Time` round-trips without change. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Deep equality of JSON values that ignores every `lastTransitionTime` key and treats a missing key like
 * `undefined`. Condition lists are compared by type, whatever their order.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    if (isConditionList(a) && isConditionList(b)) {
      return a.every((condition) => semanticEqual(condition, findCondition(b, condition.type)));
    }
    return a.every((item, i) => semanticEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      if (key === 'lastTransitionTime') continue;
      if (!semanticEqual(a[key], b[key])) return false;
    }
    return true;
  }
  return false;
}

/**
 * The RFC 7386 merge patch that turns `from` into `to`: changed keys, `null` for removed ones, arrays and
 * scalars replaced whole. `undefined` when they are equal.
 */
export function mergePatchDiff(from: unknown, to: unknown): unknown {
  if (isPlainObject(from) && isPlainObject(to)) {
    const patch: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
      if (!(key in to) || to[key] === undefined) {
        if (from[key] !== undefined) patch[key] = null;
        continue;
      }
      const inner = mergePatchDiff(from[key], to[key]);
      if (inner !== undefined) patch[key] = inner;
    }
    return Object.keys(patch).length > 0 ? patch : undefined;
  }
  return JSON.stringify(from) === JSON.stringify(to) ? undefined : (to ?? null);
}

/** Options of {@link patchStatusIfChanged}. */
export interface PatchStatusOptions<T extends KubeObject & { status?: unknown }> {
  client: KubeClient;
  ref: ResourceRef;
  /** The object as read; its `status` is the baseline. */
  object: T;
  /** The complete desired status. */
  status: NonNullable<T['status']>;
  /**
   * Send the object's resourceVersion so the write fails with a conflict if the object changed since it was
   * read (default true). Pair with {@link retryOnConflict}, re-reading and recomputing on each attempt.
   */
  precondition?: boolean;
  fieldManager?: string;
}

/**
 * Writes `status` through the `/status` subresource with a merge patch, only when it differs from the
 * object's current status (ignoring `lastTransitionTime`). Returns the updated object, or `undefined` when
 * nothing needed writing, so a steady-state reconcile makes no API write.
 *
 * Caveats: a status that differs only in a condition's `lastTransitionTime` is not written.
 */
export async function patchStatusIfChanged<T extends KubeObject & { status?: unknown }>(
  options: PatchStatusOptions<T>,
): Promise<T | undefined> {
  const { object, status } = options;
  if (semanticEqual(object.status ?? {}, status)) return undefined;
  const statusPatch = mergePatchDiff(object.status ?? {}, status) ?? {};
  const patch: Record<string, unknown> = { status: statusPatch };
  if (options.precondition ?? true) patch.metadata = { resourceVersion: object.metadata?.resourceVersion };
  return options.client.patch<T>(
    options.ref,
    object.metadata?.namespace,
    object.metadata?.name ?? '',
    patch,
    'merge',
    {
      subresource: 'status',
      fieldManager: options.fieldManager,
    },
  );
}

/** Options of {@link retryOnConflict}. */
export interface RetryOnConflictOptions {
  /** Attempts in all. Default 5 (client-go's DefaultRetry). */
  attempts?: number;
  /** Delay between attempts. Default 10 ms. */
  delayMs?: number;
  clock?: Clock;
}

/**
 * Runs `attempt` again while it fails with a 409 Conflict, up to `attempts` times; other errors and the
 * last conflict propagate. `attempt` must re-read the object each time, or it conflicts forever.
 */
export async function retryOnConflict<R>(
  attempt: (n: number) => Promise<R>,
  options: RetryOnConflictOptions = {},
): Promise<R> {
  const attempts = options.attempts ?? 5;
  const clock = options.clock ?? systemClock;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!isConflict(error) || n >= attempts) throw error;
      await new Promise<void>((resolve) => clock.setTimer(options.delayMs ?? 10, resolve));
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isConditionList(list: unknown[]): list is Condition[] {
  return list.every(
    (item) => isPlainObject(item) && typeof item.type === 'string' && typeof item.status === 'string',
  );
}

/** The condition type every SHAZAM kind carries: True once the object ended in a terminal failure. */
export const FAILED_CONDITION = 'Failed';

/**
 * `desired` with the `Failed` condition appended, so `kubectl wait --for=condition=Failed` returns on a
 * terminal failure as `--for=condition=<success>` does on success: True with the failure's reason and
 * message, else False with the first desired condition's (or `NotFailed`).
 */
export function withFailedCondition(
  desired: readonly DesiredCondition[],
  failure: { reason: string; message: string } | undefined,
): DesiredCondition[] {
  const first = desired[0];
  const failed: DesiredCondition = failure
    ? { type: FAILED_CONDITION, status: 'True', reason: failure.reason, message: failure.message }
    : {
        type: FAILED_CONDITION,
        status: 'False',
        reason: first?.reason ?? 'NotFailed',
        message: first?.message ?? 'No terminal failure',
      };
  return [...desired.filter((condition) => condition.type !== FAILED_CONDITION), failed];
}

/**
 * A built status with the `Failed` condition set from `failure` (see {@link withFailedCondition}), keeping
 * the condition's `lastTransitionTime` from `previous` unless it flips, stamped with the status's
 * `observedGeneration`.
 */
export function withFailedStatus<S extends { observedGeneration?: number; conditions?: Condition[] }>(
  status: S,
  previous: readonly Condition[] | undefined,
  failure: { reason: string; message: string } | undefined,
  now: string,
): S {
  const current = status.conditions ?? [];
  const desired = withFailedCondition(current, failure).at(-1);
  if (!desired) return status;
  const before = findCondition(previous, FAILED_CONDITION);
  const [failed] = setCondition(
    before ? [before] : [],
    {
      ...desired,
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
    },
    now,
  );
  return {
    ...status,
    conditions: [
      ...current.filter((condition) => condition.type !== FAILED_CONDITION),
      ...(failed ? [failed] : []),
    ],
  };
}
