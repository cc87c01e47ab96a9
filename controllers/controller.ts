/**
 * The shape every controller has: the kind it reconciles, what it watches and how a watched object's change
 * maps to keys of that kind (controller-runtime's `For`/`Owns`/`Watches`), and its reconcile function. The
 * operator wires informers and work queues from these declarations and knows nothing of any one kind.
 */
import type { Context, ObjectCache, ReconcileResult } from './context.ts';
import type { AssetSubmission, Job, QAReview, RenderJob } from './resources.ts';

/** The kinds the operator reconciles. */
export type ControllerKind = 'AssetSubmission' | 'QAReview' | 'RenderJob';

/** The objects the operator's informers hold, by the name of their informer. */
export interface WatchedObjects {
  AssetSubmission: AssetSubmission;
  QAReview: QAReview;
  RenderJob: RenderJob;
  Job: Job;
}

/**
 * One watch: when an object of `source` is added, updated or deleted (level-triggered: which of the three
 * is not told), `keys` names the `namespace/name` keys of the controller's kind to reconcile. The cache's
 * indexes are already current when `keys` runs (a deleted object is gone from them).
 */
export type Watch = {
  [S in keyof WatchedObjects]: {
    source: S;
    keys: (object: WatchedObjects[S], cache: ObjectCache) => string[];
  };
}[keyof WatchedObjects];

/** A controller as the operator runs it. */
export interface Controller {
  kind: ControllerKind;
  /** What the controller watches; the first watch is its own kind. */
  watches: Watch[];
  /** How many keys of the kind reconcile at once. */
  concurrency: (config: {
    concurrency: Record<'assetSubmission' | 'qaReview' | 'renderJob', number>;
  }) => number;
  /** Reconciles one key, reading everything from the cache. */
  reconcile: (ctx: Context, namespace: string, name: string) => Promise<ReconcileResult>;
}

/** `namespace/name`. */
export function keyOf(object: { metadata: { namespace: string; name: string } }): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}

/** The `namespace/name` key of `object`'s controller owner when it is of `kind`, as a list of zero or one. */
export function controllerOwnerKeys(
  object: {
    metadata: { namespace: string; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  },
  kind: ControllerKind,
): string[] {
  const owner = object.metadata.ownerReferences?.find((reference) => reference.controller === true);
  return owner?.kind === kind ? [`${object.metadata.namespace}/${owner.name}`] : [];
}
