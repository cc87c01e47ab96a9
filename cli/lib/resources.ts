import { API_VERSION, ASSET_SUBMISSION, QA_REVIEW, RENDER_JOB } from '../../crds/api.ts';
import { CLI_ERROR_CODES, CliError } from './errors.ts';
import { type KubeRestClient, statusMessage } from './kube-rest.ts';

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

/** A condition as the CRDs define it. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The parts of an object's metadata the commands read. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  creationTimestamp?: string;
  generation?: number;
  uid?: string;
  resourceVersion?: string;
}

/** The fields of an AssetSubmission the CLI and the pages read. */
export interface AssetSubmission {
  apiVersion?: string;
  kind?: 'AssetSubmission';
  metadata: ObjectMeta;
  spec: {
    asin: string;
    revision: number;
    artist?: string;
    product?: { title?: string; brand?: string; tags?: string[]; description?: string };
    delivery: { uri: string; sha256: string };
    stages?: string[];
  };
  status?: {
    observedGeneration?: number;
    phase?: string;
    message?: string;
    version?: number;
    conditions?: Condition[];
    validation?: {
      verdict?: string;
      errors?: number;
      warnings?: number;
      findings?: { code?: string; message?: string; severity?: string; stage?: string; pointer?: string }[];
      reportUri?: string;
    };
    children?: { validationJob?: string; qaReview?: string; renderJob?: string };
    rejection?: { reviewer?: string; comments?: string; decidedAt?: string };
    published?: {
      version?: number;
      glbUrl?: string;
      webGlbUrl?: string;
      posterUrl?: string;
      spin?: { frameCount?: number; urlTemplate?: string };
      publishedAt?: string;
    };
  };
}

/** The fields of a QAReview the CLI and the pages read. */
export interface QAReview {
  apiVersion?: string;
  kind?: 'QAReview';
  metadata: ObjectMeta;
  spec: {
    submissionRef: { name: string };
    decision?: 'Pending' | 'Approved' | 'Rejected';
    reviewer?: string;
    comments?: string;
    findings?: { area?: string; message?: string }[];
  };
  status?: {
    phase?: string;
    submission?: { name?: string; asin?: string; revision?: number };
    openedAt?: string;
    decidedAt?: string;
  };
}

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
