/**
 * A status write that survives a conflict without a full requeue, as client-go's `RetryOnConflict` around
 * a fresh GET does: when the object moved since it was read (a cache a step behind, another writer's
 * status), the object is read again, the status recomputed from it, and written once more; only a change
 * of what the status was decided from (a new generation, deletion requested) hands the key back.
 */
import type { KubeClient, ResourceRef } from './client.ts';
import { isConflict } from './errors.ts';
import type { KubeObject } from './object.ts';
import { patchStatusIfChanged } from './status.ts';

/** Options of {@link writeStatusRetryingConflicts}. */
export interface StatusRetryOptions<T extends KubeObject & { status?: unknown }> {
  client: KubeClient;
  ref: ResourceRef;
  /** The object as read (its resourceVersion is the precondition of the first write). */
  object: T;
  /** The status to write onto `current` (called again with the fresh object after a conflict). Pure. */
  status: (current: T) => NonNullable<T['status']>;
  /** Writes in all, the first included. Default 3. */
  attempts?: number;
}

/** What {@link writeStatusRetryingConflicts} did. */
export interface StatusRetryOutcome<T> {
  /** The object after the write, or `undefined` when nothing needed writing. */
  written: T | undefined;
  /** The object the written status was computed from (the fresh read after a conflict). */
  basis: T;
  /** Conflicts answered with a fresh read and a new write. */
  conflicts: number;
}

function sameDecisionInputs(a: KubeObject, b: KubeObject): boolean {
  return (
    (a.metadata as { generation?: number } | undefined)?.generation ===
      (b.metadata as { generation?: number } | undefined)?.generation &&
    Boolean(a.metadata?.deletionTimestamp) === Boolean(b.metadata?.deletionTimestamp)
  );
}

/**
 * Writes `status(object)` through the status subresource when it differs (see `patchStatusIfChanged`).
 * On a 409 Conflict it reads the object again; if its generation and deletion state are those the status
 * was decided from, it recomputes the status from the fresh object and writes again (up to `attempts`);
 * otherwise, or when attempts run out, the conflict is thrown so the key is reconciled afresh.
 *
 * Guarantees: every write carries the resourceVersion of the object it was computed from; a fresh object
 * whose status already matches is not written again.
 */
export async function writeStatusRetryingConflicts<T extends KubeObject & { status?: unknown }>(
  options: StatusRetryOptions<T>,
): Promise<StatusRetryOutcome<T>> {
  const attempts = options.attempts ?? 3;
  let basis = options.object;
  for (let attempt = 1; ; attempt++) {
    try {
      const written = await patchStatusIfChanged({
        client: options.client,
        ref: options.ref,
        object: basis,
        status: options.status(basis),
      });
      return { written, basis, conflicts: attempt - 1 };
    } catch (error) {
      if (!isConflict(error) || attempt >= attempts) throw error;
      const fresh = await options.client.get<T>(
        options.ref,
        basis.metadata?.namespace,
        basis.metadata?.name ?? '',
      );
      if (!sameDecisionInputs(fresh, options.object)) throw error;
      basis = fresh;
    }
  }
}
