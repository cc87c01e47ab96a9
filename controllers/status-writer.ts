/**
 * Writes a status once per reconcile and only when it changed, through the status subresource with the
 * object's resourceVersion, so a write computed from a stale cache fails with a conflict and is retried.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceRef } from '../lib/kube/client.ts';
import { jsonEqual } from './conditions.ts';
import type { Context } from './context.ts';
import type { ObjectMeta } from './resources.ts';

/** An object with a status. */
export interface WithStatus<S> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  status?: S;
}

/**
 * Replaces `object`'s status with `status` unless equal; returns true when it wrote. `resourceVersion`
 * overrides the cached one after the reconcile's own writes (a finalizer patch).
 */
export async function writeStatusIfChanged<S>(
  ctx: Context,
  resource: ResourceRef,
  object: WithStatus<S>,
  status: S,
  resourceVersion = object.metadata.resourceVersion,
): Promise<boolean> {
  if (jsonEqual(status, object.status)) return false;
  const body = { ...object, metadata: { ...object.metadata, resourceVersion }, status };
  await ctx.kube.replace(
    resource,
    object.metadata.namespace,
    object.metadata.name,
    body as KubernetesObject,
    'status',
  );
  return true;
}
