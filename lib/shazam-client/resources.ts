import type { AssetSubmission, QAReview, RenderJob } from '../../crds/api.ts';
import { ASSET_SUBMISSION, GROUP, QA_REVIEW, RENDER_JOB, VERSION } from '../../crds/api.ts';
import type { KubeClient, ResourceRef } from '../kube/client.ts';
import { KubeError } from '../kube/errors.ts';
import { CLIENT_ERROR_CODES, ClientError } from './errors.ts';

export type { AssetSubmission, Condition, QAReview, RenderJob } from '../../crds/api.ts';

/** The resource of each SHAZAM kind, from the API's one list of names (crds/api.ts). */
export const RESOURCES = {
  AssetSubmission: { group: GROUP, version: VERSION, plural: ASSET_SUBMISSION.plural },
  QAReview: { group: GROUP, version: VERSION, plural: QA_REVIEW.plural },
  RenderJob: { group: GROUP, version: VERSION, plural: RENDER_JOB.plural },
} as const satisfies Record<string, ResourceRef>;

/** A kind of SHAZAM custom resource. */
export type ResourceKind = keyof typeof RESOURCES;

/** The object type of each {@link ResourceKind}. */
export interface ResourceTypes {
  AssetSubmission: AssetSubmission;
  QAReview: QAReview;
  RenderJob: RenderJob;
}

/**
 * Turns a failed request into the {@link ClientError} a person reads: `notFound` naming the object,
 * `forbidden` for RBAC refusals, `apiRefused` with the apiserver's message otherwise. Anything that is not
 * a {@link KubeError} (a bug) is returned unchanged.
 */
export function clientErrorOf(error: unknown, doing: string, missing: string): unknown {
  if (!(error instanceof KubeError)) return error;
  if (error.code === 'KUBE_NOT_FOUND') return new ClientError(CLIENT_ERROR_CODES.notFound, missing);
  if (error.statusCode === 403)
    return new ClientError(CLIENT_ERROR_CODES.forbidden, `${doing}: ${error.message}`);
  if (error.statusCode === undefined) return error;
  return new ClientError(CLIENT_ERROR_CODES.apiRefused, `${doing}: ${error.message}`);
}

/** Reads one object; a ClientError `notFound` naming it when it does not exist. */
export async function getResource<K extends ResourceKind>(
  client: KubeClient,
  kind: K,
  namespace: string,
  name: string,
): Promise<ResourceTypes[K]> {
  try {
    return await client.get<ResourceTypes[K]>(RESOURCES[kind], namespace, name);
  } catch (error) {
    throw clientErrorOf(
      error,
      `reading ${kind} ${namespace}/${name}`,
      `${kind} ${namespace}/${name} does not exist`,
    );
  }
}

/** Reads one object, or undefined when it does not exist. */
export async function findResource<K extends ResourceKind>(
  client: KubeClient,
  kind: K,
  namespace: string,
  name: string,
): Promise<ResourceTypes[K] | undefined> {
  try {
    return await getResource(client, kind, namespace, name);
  } catch (error) {
    if (error instanceof ClientError && error.code === CLIENT_ERROR_CODES.notFound) return undefined;
    throw error;
  }
}

/** Lists every object of `kind` in `namespace`, or in every namespace when it is undefined (all pages). */
export async function listResources<K extends ResourceKind>(
  client: KubeClient,
  kind: K,
  namespace: string | undefined,
): Promise<ResourceTypes[K][]> {
  const items: ResourceTypes[K][] = [];
  let next: string | undefined;
  do {
    try {
      const page = await client.list<ResourceTypes[K]>(RESOURCES[kind], {
        ...(namespace !== undefined ? { namespace } : {}),
        limit: 500,
        ...(next !== undefined ? { continue: next } : {}),
      });
      items.push(...page.items);
      next = page.metadata.continue || undefined;
    } catch (error) {
      const where = namespace === undefined ? 'all namespaces' : `namespace ${namespace}`;
      const doing = `listing ${RESOURCES[kind].plural} in ${where}`;
      throw clientErrorOf(error, doing, `${doing}: the resource type is not installed`);
    }
  } while (next !== undefined);
  return items;
}

/** Creates `object` in `namespace`; a ClientError with the apiserver's reason when it is refused. */
export async function createResource<K extends ResourceKind>(
  client: KubeClient,
  kind: K,
  namespace: string,
  object: ResourceTypes[K],
): Promise<ResourceTypes[K]> {
  try {
    return await client.create<ResourceTypes[K]>(RESOURCES[kind], namespace, object);
  } catch (error) {
    const name = object.metadata.name;
    throw clientErrorOf(
      error,
      `creating ${kind} ${namespace}/${name}`,
      `namespace ${namespace} does not exist`,
    );
  }
}
