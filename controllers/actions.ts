/**
 * The actions plans return and the thin executor that applies them. Every action is idempotent, so a
 * reconcile interrupted half-way is finished by the next one.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceRef } from '../lib/kube/client.ts';
import { isAlreadyExists, isNotFound } from '../lib/kube/errors.ts';
import { addFinalizerPatch, removeFinalizerPatch } from '../lib/kube/finalizer.ts';
import {
  publishedKey,
  validationReportKey,
  validationResultKey,
  versionPrefix,
} from '../lib/storage/layout.ts';
import type { Context } from './context.ts';
import type { PublishedPointer } from './published-pointer.ts';
import { EventReason } from './reasons.ts';
import type { ObjectMeta } from './resources.ts';
import { deleteObject, deletePrefix, putJson } from './storage.ts';

/** A child object to create. */
export interface CreateAction {
  type: 'create';
  resource: ResourceRef;
  object: { apiVersion: string; kind: string; metadata: ObjectMeta };
}

/** One step of a plan. */
export type Action =
  | { type: 'addFinalizer'; finalizer: string }
  | { type: 'removeFinalizer'; finalizer: string }
  | CreateAction
  | { type: 'putPublishedPointer'; pointer: PublishedPointer }
  | { type: 'deleteVersions'; asin: string; revisions: number[] }
  | { type: 'deleteUnpublished'; asin: string; revision: number; sha256: string };

/** The object a plan acts for. */
export interface ActionOwner {
  resource: ResourceRef;
  object: { apiVersion: string; kind: string; metadata: ObjectMeta };
}

/** What the executor did: the owner's resourceVersion after its own writes, for the status write. */
export interface ExecutionOutcome {
  resourceVersion: string | undefined;
  /** Objects created by this run (already existing ones excluded). */
  created: string[];
}

/**
 * Applies `actions` in order for `owner`. Creating an object that already exists is success (the cache was
 * behind); a failed finalizer `test` throws so the key is retried with fresh data.
 */
export async function executeActions(
  ctx: Context,
  owner: ActionOwner,
  actions: readonly Action[],
): Promise<ExecutionOutcome> {
  const { namespace, name } = owner.object.metadata;
  const outcome: ExecutionOutcome = { resourceVersion: owner.object.metadata.resourceVersion, created: [] };
  const bucket = ctx.config.s3.assetsBucket;
  for (const action of actions) {
    switch (action.type) {
      case 'addFinalizer': {
        const patch = addFinalizerPatch(owner.object as KubernetesObject, action.finalizer);
        const updated = await ctx.kube.patch(owner.resource, namespace, name, patch, 'json');
        outcome.resourceVersion = updated.metadata?.resourceVersion;
        ctx.log.debug({ kind: owner.object.kind, namespace, name }, 'Added finalizer');
        break;
      }
      case 'removeFinalizer': {
        const patch = removeFinalizerPatch(owner.object as KubernetesObject, action.finalizer);
        if (!patch) break;
        try {
          await ctx.kube.patch(owner.resource, namespace, name, patch, 'json');
        } catch (error) {
          // Already gone with its finalizer: the cleanup this patch concludes is done. A failed `test`
          // (someone changed the list) propagates, so the key is retried with fresh data.
          if (isNotFound(error)) break;
          throw error;
        }
        ctx.log.info({ kind: owner.object.kind, namespace, name }, 'Removed finalizer');
        break;
      }
      case 'create': {
        const child = action.object;
        try {
          await ctx.kube.create(action.resource, child.metadata.namespace, child as KubernetesObject);
          outcome.created.push(child.metadata.name);
          // No Event here: the phase Event that follows names the child, and one write per child is saved.
          ctx.log.info(
            { kind: child.kind, namespace: child.metadata.namespace, name: child.metadata.name, owner: name },
            `Created ${child.kind}`,
          );
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
        }
        break;
      }
      case 'putPublishedPointer': {
        await putJson(ctx.s3, bucket, publishedKey(action.pointer.asin), action.pointer);
        ctx.log.info(
          {
            kind: owner.object.kind,
            namespace,
            name,
            asin: action.pointer.asin,
            version: action.pointer.version,
          },
          'Promoted version',
        );
        await ctx.events.record(
          owner.object,
          'Normal',
          EventReason.Promoted,
          `Published version ${action.pointer.version} of ${action.pointer.asin} (assets/${action.pointer.asin}/published.json)`,
        );
        break;
      }
      case 'deleteVersions': {
        for (const revision of action.revisions) {
          const deleted = await deletePrefix(ctx.s3, bucket, versionPrefix(action.asin, revision));
          ctx.metrics.retentionApplied(1, deleted.bytes);
          ctx.log.info(
            {
              kind: owner.object.kind,
              namespace,
              name,
              asin: action.asin,
              revision,
              objects: deleted.objects,
              bytes: deleted.bytes,
            },
            'Deleted superseded version',
          );
        }
        await ctx.events.record(
          owner.object,
          'Normal',
          EventReason.RetentionApplied,
          `Deleted superseded versions ${action.revisions.join(', ')} of ${action.asin}`,
        );
        break;
      }
      case 'deleteUnpublished': {
        const { objects: count } = await deletePrefix(
          ctx.s3,
          bucket,
          versionPrefix(action.asin, action.revision),
        );
        await deleteObject(ctx.s3, bucket, validationResultKey(action.asin, action.revision, action.sha256));
        await deleteObject(ctx.s3, bucket, validationReportKey(action.asin, action.revision, action.sha256));
        ctx.log.info(
          {
            kind: owner.object.kind,
            namespace,
            name,
            asin: action.asin,
            revision: action.revision,
            objects: count,
          },
          'Deleted unpublished version',
        );
        await ctx.events.record(
          owner.object,
          'Normal',
          EventReason.CleanedUp,
          `Deleted unpublished version ${action.revision} of ${action.asin}`,
        );
        break;
      }
    }
  }
  return outcome;
}
