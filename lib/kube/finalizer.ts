import type { KubeClient, ResourceRef } from './client.ts';
import { isNotFound, isPatchTestFailed } from './errors.ts';
import type { KubeObject } from './object.ts';

/** The two facts that decide what a controller does about its finalizer. */
export interface FinalizerState {
  /** Our finalizer is in `metadata.finalizers`. */
  hasFinalizer: boolean;
  /** `metadata.deletionTimestamp` is set. */
  isDeleting: boolean;
}

/**
 * The step a controller takes:
 * - `addFinalizer`: not deleting and no finalizer yet: add it first (the write re-triggers a reconcile);
 * - `apply`: not deleting, finalizer present: reconcile normally;
 * - `cleanup`: deleting with our finalizer: clean up, then remove the finalizer;
 * - `done`: deleting and our finalizer is already gone: nothing is ours to do.
 */
export type FinalizerStep = 'addFinalizer' | 'apply' | 'cleanup' | 'done';

/** One RFC 6902 JSON Patch operation. */
export type JsonPatchOp =
  | { op: 'test'; path: string; value: unknown }
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown };

/** Reads the {@link FinalizerState} of `object` for `finalizer`. */
export function finalizerState(object: KubeObject, finalizer: string): FinalizerState {
  return {
    hasFinalizer: (object.metadata?.finalizers ?? []).includes(finalizer),
    isDeleting: Boolean(object.metadata?.deletionTimestamp),
  };
}

/** Maps a {@link FinalizerState} to the {@link FinalizerStep} to take (pure; the kube-rs table). */
export function classifyFinalizer(state: FinalizerState): FinalizerStep {
  if (state.isDeleting) return state.hasFinalizer ? 'cleanup' : 'done';
  return state.hasFinalizer ? 'apply' : 'addFinalizer';
}

/**
 * The JSON Patch that adds `finalizer`, guarded by a `test` of the list as it was read, so the patch fails
 * (instead of clobbering) when someone changed the finalizers in between.
 */
export function addFinalizerPatch(object: KubeObject, finalizer: string): JsonPatchOp[] {
  const current = object.metadata?.finalizers;
  if (!current || current.length === 0) {
    // The apiserver's JSON Patch treats a missing field as null, so this test also guards "no list yet".
    return [
      { op: 'test', path: '/metadata/finalizers', value: null },
      { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
    ];
  }
  return [
    { op: 'test', path: '/metadata/finalizers', value: current },
    { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
  ];
}

/**
 * The JSON Patch that removes `finalizer` by index, guarded by a `test` that the index still holds it, so
 * another controller's finalizer is never removed by mistake. `undefined` when it is not there.
 */
export function removeFinalizerPatch(object: KubeObject, finalizer: string): JsonPatchOp[] | undefined {
  const index = (object.metadata?.finalizers ?? []).indexOf(finalizer);
  if (index < 0) return undefined;
  return [
    { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
    { op: 'remove', path: `/metadata/finalizers/${index}` },
  ];
}

/**
 * Adds `finalizer` to `object` with {@link addFinalizerPatch}; returns the patched object.
 * A list changed since `object` was read fails the `test` op (see `isPatchTestFailed`): re-read and retry.
 */
export function addFinalizer<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  object: T,
  finalizer: string,
): Promise<T> {
  const ops = addFinalizerPatch(object, finalizer);
  return client.patch<T>(ref, object.metadata?.namespace, object.metadata?.name ?? '', ops, 'json');
}

/**
 * Removes `finalizer` from `object` with {@link removeFinalizerPatch}. Returns false when there was nothing
 * to remove: the finalizer is not in the list as read, or the object is already gone. A failed `test` op
 * throws, as in {@link addFinalizer}.
 */
export async function removeFinalizer(
  client: KubeClient,
  ref: ResourceRef,
  object: KubeObject,
  finalizer: string,
): Promise<boolean> {
  const ops = removeFinalizerPatch(object, finalizer);
  if (!ops) return false;
  try {
    await client.patch(ref, object.metadata?.namespace, object.metadata?.name ?? '', ops, 'json');
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Options of {@link runFinalizer}. */
export interface RunFinalizerOptions<T extends KubeObject, R> {
  client: KubeClient;
  ref: ResourceRef;
  /** The object as last read (from the informer cache). */
  object: T;
  /** The finalizer name, e.g. `pipeline.shazam.dev/cleanup`. */
  finalizer: string;
  /** Normal reconciliation; runs only while the finalizer is present and the object is not deleting. */
  apply: (object: T) => Promise<R>;
  /** Cleanup before deletion; must be idempotent and must tolerate `apply` never having run. */
  cleanup: (object: T) => Promise<R>;
}

/** What {@link runFinalizer} did. */
export type RunFinalizerOutcome<R> =
  | { step: 'addFinalizer' }
  | { step: 'apply'; result: R }
  | { step: 'cleanup'; result: R }
  | { step: 'done' }
  /** The object changed since it was read (a `test` op failed, or it is gone): reconcile again. */
  | { step: 'stale' };

/**
 * The kube-rs `finalizer()` pattern: classify, then add the finalizer, reconcile, or clean up and remove it.
 *
 * Guarantees: `cleanup` runs only on a deleting object that still has our finalizer, and the finalizer is
 * removed only after `cleanup` resolved; a throwing `cleanup` keeps the finalizer, so the deletion waits
 * and the key is retried. Patches never remove or overwrite another controller's finalizer.
 *
 * Assumptions: one reconcile per object at a time (the work queue's guarantee).
 *
 * Caveats: after `addFinalizer` nothing else runs; the patch's watch event re-queues the object, and the
 * next reconcile applies. A `stale` outcome asks the caller to reconcile again from fresh state.
 */
export async function runFinalizer<T extends KubeObject, R>(
  options: RunFinalizerOptions<T, R>,
): Promise<RunFinalizerOutcome<R>> {
  const { client, ref, object, finalizer } = options;
  const step = classifyFinalizer(finalizerState(object, finalizer));
  const stale = (error: unknown): RunFinalizerOutcome<R> => {
    if (isPatchTestFailed(error) || isNotFound(error)) return { step: 'stale' };
    throw error;
  };
  switch (step) {
    case 'addFinalizer':
      return addFinalizer(client, ref, object, finalizer).then(() => ({ step }), stale);
    case 'apply':
      return { step, result: await options.apply(object) };
    case 'cleanup': {
      const result = await options.cleanup(object);
      const present = finalizerState(object, finalizer).hasFinalizer;
      const removed = await removeFinalizer(client, ref, object, finalizer).catch((error) => {
        stale(error);
        return false;
      });
      if (present && !removed) return { step: 'stale' };
      return { step, result };
    }
    case 'done':
      return { step };
  }
}
