/**
 * The explicit retry policy of every controller: what a thrown error means for its key.
 */

import { isPatchTestFailed, KubeError } from '../lib/kube/errors.ts';
import type { ErrorDecision } from '../lib/kube/work-queue.ts';
import { ControllerError } from './reasons.ts';

/**
 * Maps an error to a queue decision. Pure.
 * - An optimistic-concurrency conflict retries after the per-key backoff (it starts at 5 ms): the cache
 *   catches up and the next run sees the new resourceVersion. A failed JSON Patch `test` (a finalizer patch
 *   computed from a list someone changed since) is the same kind of conflict, though the apiserver answers
 *   it with a 422.
 * - Any other apiserver 422 (the object we built is invalid) cannot heal by retrying soon: retry after a
 *   minute, so a fixed configuration or CRD is picked up without hammering the apiserver.
 * - A write refused by the leadership fence is dropped: this replica stopped leading, the new leader owns
 *   the key now.
 * - Everything else (network, S3, 5xx) backs off exponentially.
 */
export function errorPolicy(error: unknown): ErrorDecision {
  if (error instanceof KubeError && error.code === 'KUBE_WRITE_FENCED') return { action: 'drop' };
  if (isPatchTestFailed(error)) return { action: 'backoff' };
  if (error instanceof KubeError && error.statusCode === 422) return { action: 'requeue', afterMs: 60_000 };
  if (error instanceof ControllerError && error.code === 'CONTROLLER_INVALID_OBJECT') {
    return { action: 'requeue', afterMs: 60_000 };
  }
  return { action: 'backoff' };
}

/** A stable label for an error in logs and metrics. */
export function errorCode(error: unknown): string {
  if (error instanceof KubeError || error instanceof ControllerError) return error.code;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) ? code : 'UNKNOWN';
}
