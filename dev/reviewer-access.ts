import { writeFile } from 'node:fs/promises';
import { ASSET_SUBMISSION, GROUP, QA_REVIEW } from '../crds/api.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import { isConflict } from '../lib/kube/errors.ts';

/** Options of {@link grantReviewerAccess}. */
export interface ReviewerAccessOptions {
  /** An admin client that may create ServiceAccounts, Roles and tokens. */
  admin: KubeClient;
  namespace: string;
  /** ServiceAccount name of the reviewer, e.g. `qa-reviewer`. */
  name: string;
  /** Whether the Role lets the account decide (patch QAReviews). False makes a read-only observer. */
  mayDecide: boolean;
  /** Token lifetime. Default one day. */
  expirationSeconds?: number;
}

/** A reviewer identity: its user name as the apiserver sees it and a bearer token. */
export interface ReviewerCredentials {
  username: string;
  token: string;
}

async function ensure(admin: KubeClient, path: string, body: unknown): Promise<void> {
  try {
    await admin.request('POST', path, { body });
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
}

/**
 * Creates a ServiceAccount for a QA reviewer, a Role that lets it read submissions and reviews (and
 * decide reviews when `mayDecide`), binds them, and requests a token. This is how the demo and the
 * tests give the QA page a person's own, RBAC-limited credentials instead of the admin's.
 *
 * Guarantees: idempotent (existing objects are kept); the token is bound to the ServiceAccount and
 * expires after `expirationSeconds`.
 */
export async function grantReviewerAccess(options: ReviewerAccessOptions): Promise<ReviewerCredentials> {
  const { admin, namespace, name } = options;
  const ns = encodeURIComponent(namespace);
  await ensure(admin, `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name } });
  const reviewVerbs = options.mayDecide ? ['get', 'list', 'watch', 'patch'] : ['get', 'list', 'watch'];
  await ensure(admin, `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
    metadata: { name },
    rules: [
      { apiGroups: [GROUP], resources: [QA_REVIEW.plural], verbs: reviewVerbs },
      { apiGroups: [GROUP], resources: [ASSET_SUBMISSION.plural], verbs: ['get', 'list', 'watch'] },
    ],
  });
  await ensure(admin, `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
  const response = await admin.request<{ status?: { token?: string } }>(
    'POST',
    `/api/v1/namespaces/${ns}/serviceaccounts/${encodeURIComponent(name)}/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: options.expirationSeconds ?? 86_400 },
      },
    },
  );
  const token = response?.status?.token;
  if (!token) throw new Error(`the TokenRequest for ${namespace}/${name} returned no token`);
  return { username: `system:serviceaccount:${namespace}:${name}`, token };
}

/** Renders a kubeconfig that authenticates with `token` against `server`, trusting `caData` (base64 PEM). */
export function tokenKubeconfig(options: {
  server: string;
  caData: string;
  token: string;
  namespace: string;
  user: string;
}): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: shazam',
    '  cluster:',
    `    server: ${options.server}`,
    `    certificate-authority-data: ${options.caData}`,
    'users:',
    `- name: ${options.user}`,
    '  user:',
    `    token: ${options.token}`,
    'contexts:',
    '- name: shazam',
    '  context:',
    '    cluster: shazam',
    `    user: ${options.user}`,
    `    namespace: ${options.namespace}`,
    'current-context: shazam',
    '',
  ].join('\n');
}

/** Writes {@link tokenKubeconfig} to `path` with owner-only permissions. */
export async function writeTokenKubeconfig(
  path: string,
  options: Parameters<typeof tokenKubeconfig>[0],
): Promise<void> {
  await writeFile(path, tokenKubeconfig(options), { mode: 0o600 });
}
