import type {
  AssetSubmission as GeneratedAssetSubmission,
  QAReview as GeneratedQAReview,
  RenderJob as GeneratedRenderJob,
} from '../../crds/api.ts';
import { API_VERSION, ASSET_SUBMISSION, QA_REVIEW, RENDER_JOB } from '../../crds/api.ts';
import { CLI_ERROR_CODES, CliError } from './errors.ts';
import { type KubeRestClient, statusMessage } from './kube-rest.ts';

export type { Condition } from '../../crds/api.ts';

/** Plurals used in resource paths, from the API's one list of names (crds/api.ts). */
export const PLURALS = {
  AssetSubmission: ASSET_SUBMISSION.plural,
  QAReview: QA_REVIEW.plural,
  RenderJob: RENDER_JOB.plural,
} as const;

/** A kind of SHAZAM custom resource. */
export type ResourceKind = keyof typeof PLURALS;

/** Path of a namespaced collection, or of one object when `name` is given. */
export function resourcePath(kind: ResourceKind, namespace: string | undefined, name?: string): string {
  const base = `/apis/${API_VERSION}`;
  const scope = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  const tail = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  return `${base}${scope}/${PLURALS[kind]}${tail}`;
}

/** The parts of an object's metadata the commands read, as JSON carries them (timestamps are strings). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  creationTimestamp?: string;
  generation?: number;
  uid?: string;
  resourceVersion?: string;
}

/** A generated CRD type with {@link ObjectMeta} in place of `V1ObjectMeta`. */
export type WithObjectMeta<T extends { metadata?: unknown }> = Omit<T, 'metadata'> & { metadata: ObjectMeta };

/** An AssetSubmission as the API returns it (crds/assetsubmissions.yaml). */
export type AssetSubmission = WithObjectMeta<GeneratedAssetSubmission>;

/** A QAReview as the API returns it (crds/qareviews.yaml). */
export type QAReview = WithObjectMeta<GeneratedQAReview>;

/** A RenderJob as the API returns it (crds/renderjobs.yaml). */
export type RenderJob = WithObjectMeta<GeneratedRenderJob>;

/** Reads one object; a CliError `notFound` naming it when it does not exist. */
export async function getResource<T>(
  client: KubeRestClient,
  kind: ResourceKind,
  namespace: string,
  name: string,
): Promise<T> {
  const response = await client.send({ method: 'GET', path: resourcePath(kind, namespace, name) });
  if (response.status === 404) {
    throw new CliError(CLI_ERROR_CODES.notFound, `${kind} ${namespace}/${name} does not exist`);
  }
  if (response.status !== 200) {
    throw new CliError(
      response.status === 403 ? CLI_ERROR_CODES.forbidden : CLI_ERROR_CODES.apiRefused,
      `reading ${kind} ${namespace}/${name}: ${statusMessage(response)}`,
    );
  }
  return response.body as T;
}

/** Lists the objects of `kind` in `namespace`, or in every namespace when it is undefined. */
export async function listResources<T>(
  client: KubeRestClient,
  kind: ResourceKind,
  namespace: string | undefined,
): Promise<T[]> {
  const response = await client.send({ method: 'GET', path: resourcePath(kind, namespace) });
  if (response.status !== 200) {
    const where = namespace === undefined ? 'all namespaces' : `namespace ${namespace}`;
    throw new CliError(
      response.status === 403 ? CLI_ERROR_CODES.forbidden : CLI_ERROR_CODES.apiRefused,
      `listing ${PLURALS[kind]} in ${where}: ${statusMessage(response)}`,
    );
  }
  return ((response.body as { items?: T[] }).items ?? []) as T[];
}
