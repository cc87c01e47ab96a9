import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { kubectl } from '../../test/harness/index.ts';

/** A Kubernetes object as kustomize renders it; only the fields the tests read are typed. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** Absolute path of a folder under manifests/. */
export function manifestsPath(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}

/** Renders a kustomization with the harness's kubectl (`kubectl kustomize`) and parses every object. */
export async function renderKustomization(relative: string): Promise<RenderedObject[]> {
  const result = await kubectl(['kustomize', manifestsPath(relative)]);
  if (result.code !== 0) {
    const hint = /crds': unable to find one of 'kustomization\.yaml'/.test(result.stderr)
      ? ' The repository needs crds/Kustomization (listing the CRD files) for manifests/crds; see docs/deploy.md.'
      : '';
    throw new Error(`kubectl kustomize ${relative} failed:${hint} ${result.stderr}`);
  }
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as RenderedObject | null)
    .filter((object): object is RenderedObject => object !== null);
}

/**
 * Finds one rendered object by kind, name and (optionally) namespace, or throws naming what is missing.
 * A generated ConfigMap or Secret matches its name with kustomize's content-hash suffix too.
 */
export function findObject(
  objects: RenderedObject[],
  kind: string,
  name: string,
  namespace?: string,
): RenderedObject {
  const hashed = new RegExp(`^${name}-[a-z0-9]{10}$`);
  const found = objects.find(
    (object) =>
      object.kind === kind &&
      (object.metadata.name === name || hashed.test(object.metadata.name)) &&
      (namespace === undefined || object.metadata.namespace === namespace),
  );
  if (!found)
    throw new Error(`no ${kind} ${namespace ? `${namespace}/` : ''}${name} in the rendered manifests`);
  return found;
}

/** Applies the stand-in prometheus-operator CRDs (test/fixtures) and waits until they are served. */
export async function applyMonitoringCrds(): Promise<void> {
  const file = manifestsPath('test/fixtures/monitoring-crds.yaml');
  const applied = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
  if (applied.code !== 0) throw new Error(`applying ${file} failed: ${applied.stderr}`);
  const established = await kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', file]);
  if (established.code !== 0)
    throw new Error(`the monitoring CRDs were not established: ${established.stderr}`);
}
