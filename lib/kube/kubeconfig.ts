import { existsSync, readFileSync } from 'node:fs';
import type https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { KubeError } from './errors.ts';
import { ExecCredentialSource } from './exec-credential.ts';
import type { KubeCredentials } from './kube-credentials.ts';
import {
  type KubeconfigCluster,
  type KubeconfigContext,
  type KubeconfigUser,
  mergeKubeconfigs,
  parseKubeconfig,
  type SelectedKubeconfig,
  selectContext,
} from './kubeconfig-file.ts';

/** Where the service account's token is mounted in a pod; `ca.crt` and `namespace` sit beside it. */
export const IN_CLUSTER_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** How long a token file's content is used before it is read again (client-go re-reads every minute). */
const TOKEN_FILE_REREAD_MS = 60_000;

/** Options of {@link loadKubeConfig}. */
export interface LoadKubeConfigOptions {
  /** A kubeconfig file. When set, only this file is tried. */
  path?: string;
  /** Use the pod's service account (`KUBERNETES_SERVICE_HOST` and the mounted token). */
  inCluster?: boolean;
  /** Context to select instead of the file's `current-context`. */
  context?: string;
  /**
   * Environment for the default chain (`KUBECONFIG`, `KUBERNETES_SERVICE_HOST`/`_PORT`) and for exec
   * credential plugins; pass `process.env`.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory for `~/.kube/config`; defaults to the user's. */
  homeDir?: string;
  /** Token file for in-cluster loading (its `ca.crt` and `namespace` beside it); tests point it elsewhere. */
  tokenPath?: string;
}

/**
 * Loads the Kubernetes configuration: from `path`, in-cluster, or the default chain (`$KUBECONFIG`, then
 * `~/.kube/config`, then in-cluster), without `@kubernetes/client-node` (whose import alone costs a
 * process ~70 MiB of peak memory).
 *
 * Supported: server CA (file or data, `insecure-skip-tls-verify`, `tls-server-name`), client certificate
 * and key (file or data), bearer `token` and `tokenFile` (re-read every minute, as are in-cluster tokens),
 * basic auth, and `exec` credential plugins (`client.authentication.k8s.io/v1` and `v1beta1`, as
 * `aws eks get-token` uses). Paths are resolved against their kubeconfig's directory; `$KUBECONFIG` files
 * merge as kubectl merges them.
 *
 * Guarantees: the result has a current cluster with a server URL and its files are read; anything else
 * throws a {@link KubeError} `KUBE_CONFIG_NOT_FOUND` or `KUBE_CONFIG_INVALID` whose message says what to
 * fix, including the features not supported (auth-provider, impersonation, proxy-url).
 *
 * Caveats: unlike client-node's `loadFromDefault`, it never falls back to `http://localhost:8080`, which
 * hides a missing configuration until the first request.
 *
 * @example
 * const kc = loadKubeConfig({ env: process.env });
 * const client = new KubeClient(kc);
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): LoadedKubeConfig {
  const env = options.env ?? {};
  if (options.path !== undefined) {
    return fromFiles([options.path], options.context, 'the --kubeconfig path', env);
  }
  if (options.inCluster) return fromCluster(env, options.tokenPath ?? IN_CLUSTER_TOKEN_PATH);

  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((part) => part.length > 0);
  if (fromEnv.length > 0) return fromFiles(fromEnv, options.context, '$KUBECONFIG', env);
  const home = join(options.homeDir ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return fromFiles([home], options.context, home, env);
  const tokenPath = options.tokenPath ?? IN_CLUSTER_TOKEN_PATH;
  if (env.KUBERNETES_SERVICE_HOST && existsSync(tokenPath)) return fromCluster(env, tokenPath);
  throw new KubeError(
    'KUBE_CONFIG_NOT_FOUND',
    `No Kubernetes configuration found: $KUBECONFIG is unset, ${home} does not exist and this is not a pod. ` +
      'Pass a kubeconfig path, set KUBECONFIG, or run in a pod with a service account.',
  );
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new KubeError(
      'KUBE_CONFIG_INVALID',
      `${what} ${path} could not be read: ${(cause as Error).message}; fix the path or its permissions.`,
      { cause },
    );
  }
}

function fromFiles(
  paths: string[],
  context: string | undefined,
  origin: string,
  env: Readonly<Record<string, string | undefined>>,
): LoadedKubeConfig {
  const files = paths.map((path) => {
    if (!existsSync(path)) {
      throw new KubeError(
        'KUBE_CONFIG_NOT_FOUND',
        `Kubeconfig ${path} (from ${origin}) does not exist; fix the path.`,
      );
    }
    return parseKubeconfig(readText(path, 'Kubeconfig'), path);
  });
  return new LoadedKubeConfig(selectContext(mergeKubeconfigs(files), context, origin), env);
}

function fromCluster(env: Readonly<Record<string, string | undefined>>, tokenPath: string): LoadedKubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (!host || !existsSync(tokenPath)) {
    throw new KubeError(
      'KUBE_CONFIG_NOT_FOUND',
      `In-cluster configuration needs KUBERNETES_SERVICE_HOST and a token at ${tokenPath}; run in a pod whose ServiceAccount token is mounted.`,
    );
  }
  const dir = dirname(tokenPath);
  const caPath = join(dir, 'ca.crt');
  if (!existsSync(caPath)) {
    throw new KubeError(
      'KUBE_CONFIG_NOT_FOUND',
      `In-cluster configuration needs the cluster CA at ${caPath}; mount the ServiceAccount's projected volume whole.`,
    );
  }
  const namespacePath = join(dir, 'namespace');
  const namespace = existsSync(namespacePath) ? readText(namespacePath, 'Namespace file').trim() : undefined;
  const port = env.KUBERNETES_SERVICE_PORT || '443';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const cluster: KubeconfigCluster = {
    name: 'inCluster',
    server,
    certificateAuthority: caPath,
    insecureSkipTlsVerify: false,
  };
  const user: KubeconfigUser = { name: 'inClusterUser', tokenFile: tokenPath };
  const context: KubeconfigContext = {
    name: 'inClusterContext',
    cluster: cluster.name,
    user: user.name,
    ...(namespace ? { namespace } : {}),
  };
  return new LoadedKubeConfig({ context, cluster, user, contexts: [context] }, env);
}

/**
 * A loaded configuration: the selected context's server, TLS material and credentials, ready to apply to
 * requests. Files (CA, certificate, key) are read once when it is built; token files are re-read every
 * minute and exec credentials renewed before they expire.
 */
export class LoadedKubeConfig implements KubeCredentials {
  private readonly ca: Buffer | undefined;
  private readonly cert: Buffer | undefined;
  private readonly key: Buffer | undefined;
  private readonly exec: ExecCredentialSource | undefined;
  private tokenFileCache: { token: string; readAtMs: number } | undefined;

  constructor(
    readonly selected: SelectedKubeconfig,
    env: Readonly<Record<string, string | undefined>> = {},
  ) {
    const { cluster, user } = selected;
    const data = (value: string | undefined) => (value ? Buffer.from(value, 'base64') : undefined);
    const file = (path: string | undefined, what: string) =>
      path ? Buffer.from(readText(path, what)) : undefined;
    this.ca =
      data(cluster.certificateAuthorityData) ??
      file(cluster.certificateAuthority, 'Certificate authority file');
    this.cert = data(user?.clientCertificateData) ?? file(user?.clientCertificate, 'Client certificate file');
    this.key = data(user?.clientKeyData) ?? file(user?.clientKey, 'Client key file');
    if ((this.cert === undefined) !== (this.key === undefined)) {
      throw new KubeError(
        'KUBE_CONFIG_INVALID',
        `Kubeconfig user "${user?.name}" has a client ${this.cert ? 'certificate without its key' : 'key without its certificate'}; set both.`,
      );
    }
    if (user?.tokenFile) this.readTokenFile(user.tokenFile, Date.now());
    this.exec = user?.exec ? new ExecCredentialSource(user.exec, cluster, { env }) : undefined;
  }

  getCurrentCluster(): { readonly name: string; readonly server: string } {
    return { name: this.selected.cluster.name, server: this.selected.cluster.server };
  }

  getCurrentUser(): { readonly name: string } | null {
    return this.selected.user ? { name: this.selected.user.name } : null;
  }

  getCurrentContext(): string {
    return this.selected.context.name;
  }

  getContextObject(name: string): { readonly name: string; readonly namespace?: string } | null {
    return this.selected.contexts.find((context) => context.name === name) ?? null;
  }

  async applyToHTTPSOptions(options: https.RequestOptions): Promise<void> {
    const { cluster, user } = this.selected;
    if (this.ca) options.ca = this.ca;
    if (this.cert && this.key) {
      options.cert = this.cert;
      options.key = this.key;
    }
    if (cluster.insecureSkipTlsVerify) options.rejectUnauthorized = false;
    if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
    let authorization: string | undefined;
    if (this.exec) {
      const credential = await this.exec.credential();
      if (credential.token) authorization = `Bearer ${credential.token}`;
      if (credential.clientCertificateData && credential.clientKeyData) {
        options.cert = credential.clientCertificateData;
        options.key = credential.clientKeyData;
      }
    } else if (user?.token) {
      authorization = `Bearer ${user.token}`;
    } else if (user?.tokenFile) {
      authorization = `Bearer ${this.readTokenFile(user.tokenFile, Date.now())}`;
    } else if (user?.username !== undefined && user.password !== undefined) {
      authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    }
    if (authorization) options.headers = { ...options.headers, Authorization: authorization };
  }

  private readTokenFile(path: string, nowMs: number): string {
    const cached = this.tokenFileCache;
    if (cached && nowMs - cached.readAtMs < TOKEN_FILE_REREAD_MS) return cached.token;
    const token = readText(path, 'Token file').trim();
    if (token === '') {
      throw new KubeError('KUBE_CONFIG_INVALID', `Token file ${path} is empty; mount or write the token.`);
    }
    this.tokenFileCache = { token, readAtMs: nowMs };
    return token;
  }
}
