import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { kubectl, uniqueName } from '../../test/harness/index.ts';
import type { RenderedObject } from './kustomize.ts';

const RBAC_KINDS = new Set(['ClusterRole', 'Role', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount']);

/** Where the shipped namespaces and ClusterRole names land in a test's private copy. */
export interface RbacInstall {
  /** Shipped namespace → the fresh test namespace standing in for it. */
  namespaces: Record<string, string>;
  /** Shipped ClusterRole name → the uniquely named copy. */
  clusterRoles: Record<string, string>;
}

/**
 * Installs the RBAC objects of rendered manifests for real, moved into fresh namespaces and with uniquely
 * named ClusterRoles, so that tests sharing one apiserver never see each other's grants. Rules are kept
 * byte for byte: what is tested is what ships.
 */
export async function installRbac(
  objects: RenderedObject[],
  namespaces: Record<string, string>,
): Promise<RbacInstall> {
  const suffix = uniqueName('t').slice(2);
  const clusterRoles: Record<string, string> = {};
  for (const object of objects) {
    if (object.kind === 'ClusterRole')
      clusterRoles[object.metadata.name] = `${object.metadata.name}-${suffix}`;
  }
  const moved = objects
    .filter((object) => RBAC_KINDS.has(object.kind))
    .map((object) => {
      const copy = structuredClone(object) as RenderedObject & {
        roleRef?: { kind: string; name: string };
        subjects?: { kind: string; namespace?: string }[];
      };
      if (copy.kind === 'ClusterRole')
        copy.metadata.name = clusterRoles[copy.metadata.name] ?? copy.metadata.name;
      if (copy.metadata.namespace !== undefined) {
        const target = namespaces[copy.metadata.namespace];
        if (!target) throw new Error(`no test namespace stands in for ${copy.metadata.namespace}`);
        copy.metadata.namespace = target;
      }
      if (copy.roleRef?.kind === 'ClusterRole')
        copy.roleRef.name = clusterRoles[copy.roleRef.name] ?? copy.roleRef.name;
      for (const subject of copy.subjects ?? []) {
        if (subject.namespace !== undefined)
          subject.namespace = namespaces[subject.namespace] ?? subject.namespace;
      }
      return copy;
    });
  const input = moved.map((object) => `---\n${stringify(object)}`).join('');
  const applied = await kubectl(['apply', '-f', '-'], { input });
  if (applied.code !== 0) throw new Error(`applying the RBAC objects failed: ${applied.stderr}`);
  return { namespaces, clusterRoles };
}

/** One access question: may `verb` be done on `resource` (and `subresource`) in `namespace`? */
export interface Access {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** Asks the apiserver's authorizer (SubjectAccessReview) whether a ServiceAccount may do `access`. */
export async function serviceAccountMay(
  kubeConfig: KubeConfig,
  account: { namespace: string; name: string },
  access: Access,
): Promise<boolean> {
  const api = kubeConfig.makeApiClient(AuthorizationV1Api);
  const review = await api.createSubjectAccessReview({
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: `system:serviceaccount:${account.namespace}:${account.name}`,
        groups: [
          'system:serviceaccounts',
          `system:serviceaccounts:${account.namespace}`,
          'system:authenticated',
        ],
        resourceAttributes: {
          verb: access.verb,
          group: access.group,
          resource: access.resource,
          ...(access.subresource ? { subresource: access.subresource } : {}),
          ...(access.namespace ? { namespace: access.namespace } : {}),
          ...(access.name ? { name: access.name } : {}),
        },
      },
    },
  });
  return review.status?.allowed === true;
}

/**
 * Mints a short-lived token for a ServiceAccount (TokenRequest API) and writes a kubeconfig that
 * authenticates with it against the same apiserver as `admin`; returns the file's path.
 */
export async function serviceAccountKubeconfig(
  admin: KubeConfig,
  account: { namespace: string; name: string },
): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    name: account.name,
    namespace: account.namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`the apiserver issued no token for ${account.namespace}/${account.name}`);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'harness',
        cluster: {
          server: cluster.server,
          ...(cluster.caFile ? { 'certificate-authority': cluster.caFile } : {}),
          ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
        },
      },
    ],
    users: [{ name: account.name, user: { token } }],
    contexts: [{ name: account.name, context: { cluster: 'harness', user: account.name } }],
    'current-context': account.name,
  };
  const dir = await mkdtemp(join(tmpdir(), 'shazam-sa-'));
  const path = join(dir, 'kubeconfig');
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}
