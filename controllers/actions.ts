/**
 * The actions plans return and the thin executor that applies them. Every action is idempotent, so a
 * reconcile interrupted half-way is finished by the next one.
 */
import type { ResourceRef } from '../lib/kube/client.ts';
import { isAlreadyExists, isNotFound } from '../lib/kube/errors.ts';
import { addFinalizer, removeFinalizer } from '../lib/kube/finalizer.ts';
import {
  publishedKey,
  validationReportKey,
  validationResultKey,
  versionPrefix,
} from '../lib/storage/layout.ts';
import type { Context } from './context.ts';
import type { PublishedPointer } from './published-pointer.ts';
import { EventReason } from './reasons.ts';
import { type ObjectMeta, RESOURCES } from './resources.ts';
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
  /**
   * Retention: delete `revisions` of `asin`. `superseded` are those once published (the rest never were:
   * rejected, or replaced before promotion); `live` is the published version, `kept` the rollback targets.
   */
  | {
      type: 'deleteVersions';
      asin: string;
      revisions: number[];
      superseded: number[];
      live: number;
      kept: number[];
    }
  | { type: 'deleteUnpublished'; asin: string; revision: number; sha256: string }
  /** Forget a validation verdict so the delivery is validated again. */
  | { type: 'deleteValidationResult'; asin: string; revision: number; sha256: string }
  | { type: 'deleteJob'; namespace: string; name: string };

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
        const updated = await addFinalizer(ctx.kube, owner.resource, owner.object, action.finalizer);
        outcome.resourceVersion = updated.metadata.resourceVersion;
        ctx.log.debug({ kind: owner.object.kind, namespace, name }, 'Added finalizer');
        break;
      }
      case 'removeFinalizer': {
        // Already gone with its finalizer: the cleanup this patch concludes is done. A failed `test`
        // (someone changed the list) propagates, so the key is retried with fresh data.
        if (!(await removeFinalizer(ctx.kube, owner.resource, owner.object, action.finalizer))) break;
        ctx.log.info({ kind: owner.object.kind, namespace, name }, 'Removed finalizer');
        break;
      }
      case 'create': {
        const child = action.object;
        try {
          await ctx.kube.create(action.resource, child.metadata.namespace, child);
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
          `Promoted version ${action.pointer.version} of ${action.pointer.asin} with the turntable QA reviewed: assets/${action.pointer.asin}/published.json points at it.`,
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
          retentionMessage(action),
        );
        break;
      }
      case 'deleteValidationResult': {
        await deleteObject(ctx.s3, bucket, validationResultKey(action.asin, action.revision, action.sha256));
        await deleteObject(ctx.s3, bucket, validationReportKey(action.asin, action.revision, action.sha256));
        break;
      }
      case 'deleteJob': {
        try {
          await ctx.kube.delete(RESOURCES.job, action.namespace, action.name, {
            propagationPolicy: 'Background',
          });
          ctx.log.info(
            { kind: 'Job', namespace: action.namespace, name: action.name, owner: name },
            'Deleted Job',
          );
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
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

/** `"version 2"`, `"versions 1 and 2"`, `"versions 1, 2 and 3"`. */
function versionList(revisions: readonly number[]): string {
  const sorted = [...revisions].sort((a, b) => a - b).map(String);
  if (sorted.length <= 1) return `version ${sorted[0] ?? ''}`;
  return `versions ${sorted.slice(0, -1).join(', ')} and ${sorted[sorted.length - 1]}`;
}

/**
 * The retention Event: what was deleted, split into superseded and never-published versions, and what is
 * live and kept.
 *
 * @example
 * retentionMessage({ asin: 'B0X', revisions: [1, 2], superseded: [1], live: 3, kept: [] })
 * // → 'Retention deleted superseded version 1 and never-published version 2 of B0X; version 3 is live, none kept for rollback.'
 */
export function retentionMessage(
  action: Pick<
    Extract<Action, { type: 'deleteVersions' }>,
    'asin' | 'revisions' | 'superseded' | 'live' | 'kept'
  >,
): string {
  const superseded = action.revisions.filter((r) => action.superseded.includes(r));
  const unpublished = action.revisions.filter((r) => !action.superseded.includes(r));
  const parts: string[] = [];
  if (superseded.length > 0) parts.push(`superseded ${versionList(superseded)}`);
  if (unpublished.length > 0) parts.push(`never-published ${versionList(unpublished)}`);
  const kept =
    action.kept.length > 0 ? `${versionList(action.kept)} kept for rollback` : 'none kept for rollback';
  return `Retention deleted ${parts.join(' and ')} of ${action.asin}; version ${action.live} is live, ${kept}.`;
}
