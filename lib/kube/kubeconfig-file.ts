import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { KubeError } from './errors.ts';

/** A kubeconfig cluster entry, paths resolved against its file's directory. */
export interface KubeconfigCluster {
  name: string;
  server: string;
  /** PEM file of the CAs that sign the server's certificate. */
  certificateAuthority?: string;
  /** Base64 PEM of those CAs. */
  certificateAuthorityData?: string;
  insecureSkipTlsVerify: boolean;
  /** Name to check the server's certificate against, when it is not the URL's host. */
  tlsServerName?: string;
  /** A feature of this entry the loader does not implement, with what to do instead. */
  unsupported?: string;
}

/** A kubeconfig `exec` credential plugin (`client.authentication.k8s.io`). */
export interface KubeconfigExec {
  apiVersion: string;
  /** The program; a relative path with a `/` is resolved against the kubeconfig's directory. */
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  /** Whether the plugin receives the cluster (server, CA) in `KUBERNETES_EXEC_INFO`. */
  provideClusterInfo: boolean;
  /** `interactiveMode: Always`: the plugin needs a terminal. */
  interactiveAlways: boolean;
}

/** A kubeconfig user entry, paths resolved against its file's directory. */
export interface KubeconfigUser {
  name: string;
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: KubeconfigExec;
  /** A feature of this entry the loader does not implement, with what to do instead. */
  unsupported?: string;
}

/** A kubeconfig context entry. */
export interface KubeconfigContext {
  name: string;
  cluster: string;
  user?: string;
  namespace?: string;
}

/** One or more kubeconfig files, merged. */
export interface Kubeconfig {
  clusters: KubeconfigCluster[];
  users: KubeconfigUser[];
  contexts: KubeconfigContext[];
  currentContext?: string;
}

/** The entries a client is built from: the selected context with its cluster and user. */
export interface SelectedKubeconfig {
  context: KubeconfigContext;
  cluster: KubeconfigCluster;
  /** Undefined when the context names no user (anonymous requests). */
  user?: KubeconfigUser;
  /** Every context of the merged files, for `getContextObject`. */
  contexts: KubeconfigContext[];
}

/** `exec` API versions this loader speaks (v1alpha1 was removed from Kubernetes in 1.24). */
export const EXEC_API_VERSIONS = [
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
] as const;

/**
 * Kubeconfig features this loader does not implement, each with what to do instead. Parsing fails on them
 * only when the selected context uses them, so a file with other users' auth providers still loads.
 */
const UNSUPPORTED: Record<string, string> = {
  'auth-provider':
    'auth-provider plugins (gcp, azure, oidc) were removed from kubectl; use an exec credential plugin',
  as: 'impersonation (as) is not supported; use a kubeconfig whose user is the identity to act as',
  'as-groups': 'impersonation (as-groups) is not supported',
  'as-uid': 'impersonation (as-uid) is not supported',
  'as-user-extra': 'impersonation (as-user-extra) is not supported',
  'proxy-url': 'proxy-url is not supported; reach the apiserver directly',
};

type Origin = { path: string };

function invalid(origin: Origin, message: string): KubeError {
  return new KubeError('KUBE_CONFIG_INVALID', `Kubeconfig ${origin.path}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(entry: Record<string, unknown>, key: string, where: string, origin: Origin) {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(origin, `${where}.${key} must be a string.`);
  return value;
}

function resolvedPath(path: string | undefined, origin: Origin): string | undefined {
  if (path === undefined || path === '') return undefined;
  return isAbsolute(path) ? path : resolve(dirname(origin.path), path);
}

/** The named entries of one top-level list (`clusters`, `users`, `contexts`), each with its inner object. */
function namedEntries(doc: Record<string, unknown>, list: string, inner: string, origin: Origin) {
  const value = doc[list];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(origin, `${list} must be a list.`);
  return value.map((item, index) => {
    const where = `${list}[${index}]`;
    if (!isRecord(item) || typeof item.name !== 'string' || item.name === '') {
      throw invalid(origin, `${where} must be a mapping with a name.`);
    }
    const body = item[inner] ?? {};
    if (!isRecord(body)) throw invalid(origin, `${where}.${inner} must be a mapping.`);
    return { name: item.name, body, where: `${list}[${item.name}].${inner}` };
  });
}

function parseExec(value: unknown, where: string, origin: Origin): KubeconfigExec | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalid(origin, `${where}.exec must be a mapping.`);
  const command = optionalString(value, 'command', `${where}.exec`, origin);
  if (!command) throw invalid(origin, `${where}.exec.command is required.`);
  const apiVersion = optionalString(value, 'apiVersion', `${where}.exec`, origin) ?? '';
  const args = value.args ?? [];
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) {
    throw invalid(origin, `${where}.exec.args must be a list of strings.`);
  }
  const env = value.env ?? [];
  if (
    !Array.isArray(env) ||
    !env.every((item) => isRecord(item) && typeof item.name === 'string' && typeof item.value === 'string')
  ) {
    throw invalid(origin, `${where}.exec.env must be a list of {name, value} strings.`);
  }
  const resolvedCommand = command.includes('/') ? (resolvedPath(command, origin) ?? command) : command;
  return {
    apiVersion,
    command: resolvedCommand,
    args: args as string[],
    env: (env as { name: string; value: string }[]).map(({ name, value: v }) => ({ name, value: v })),
    provideClusterInfo: value.provideClusterInfo === true,
    interactiveAlways: value.interactiveMode === 'Always',
  };
}

/**
 * Parses one kubeconfig file's text. Paths inside it (CA, certificate, key, token file, a relative exec
 * command) are resolved against `path`'s directory, as kubectl does.
 *
 * Guarantees: the result has only well-typed entries; anything malformed throws `KUBE_CONFIG_INVALID`
 * naming the file and the field.
 *
 * @example
 * const config = parseKubeconfig(readFileSync(path, 'utf8'), path);
 */
export function parseKubeconfig(text: string, path: string): Kubeconfig {
  const origin = { path };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new KubeError(
      'KUBE_CONFIG_INVALID',
      `Kubeconfig ${path} is not valid YAML: ${(cause as Error).message}. Check that it is a kubeconfig file.`,
      { cause },
    );
  }
  if (doc === null || doc === undefined) return { clusters: [], users: [], contexts: [] };
  if (!isRecord(doc)) throw invalid(origin, 'must be a YAML mapping (apiVersion: v1, kind: Config).');

  const clusters = namedEntries(doc, 'clusters', 'cluster', origin).map(({ name, body, where }) => {
    const server = optionalString(body, 'server', where, origin) ?? '';
    const unsupported = Object.keys(body).find((key) => key in UNSUPPORTED);
    return {
      name,
      server,
      certificateAuthority: resolvedPath(
        optionalString(body, 'certificate-authority', where, origin),
        origin,
      ),
      certificateAuthorityData: optionalString(body, 'certificate-authority-data', where, origin),
      insecureSkipTlsVerify: body['insecure-skip-tls-verify'] === true,
      tlsServerName: optionalString(body, 'tls-server-name', where, origin),
      ...(unsupported ? { unsupported: `${where}: ${UNSUPPORTED[unsupported]}` } : {}),
    };
  });
  const users = namedEntries(doc, 'users', 'user', origin).map(({ name, body, where }) => {
    const unsupported = Object.keys(body).find((key) => key in UNSUPPORTED);
    return {
      name,
      clientCertificate: resolvedPath(optionalString(body, 'client-certificate', where, origin), origin),
      clientCertificateData: optionalString(body, 'client-certificate-data', where, origin),
      clientKey: resolvedPath(optionalString(body, 'client-key', where, origin), origin),
      clientKeyData: optionalString(body, 'client-key-data', where, origin),
      token: optionalString(body, 'token', where, origin),
      tokenFile: resolvedPath(optionalString(body, 'tokenFile', where, origin), origin),
      username: optionalString(body, 'username', where, origin),
      password: optionalString(body, 'password', where, origin),
      exec: parseExec(body.exec, where, origin),
      ...(unsupported ? { unsupported: `${where}: ${UNSUPPORTED[unsupported]}` } : {}),
    };
  });
  const contexts = namedEntries(doc, 'contexts', 'context', origin).map(({ name, body, where }) => ({
    name,
    cluster: optionalString(body, 'cluster', where, origin) ?? '',
    user: optionalString(body, 'user', where, origin),
    namespace: optionalString(body, 'namespace', where, origin),
  }));
  const currentContext = optionalString(doc, 'current-context', 'the file', origin);
  return { clusters, users, contexts, ...(currentContext ? { currentContext } : {}) };
}

/**
 * Merges kubeconfig files the way kubectl merges `$KUBECONFIG`: the first file to define a cluster, user
 * or context by a name wins, and the first file to set `current-context` sets it.
 */
export function mergeKubeconfigs(files: Kubeconfig[]): Kubeconfig {
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const item of lists.flat()) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  const currentContext = files.find((file) => file.currentContext)?.currentContext;
  return {
    clusters: firstByName(files.map((file) => file.clusters)),
    users: firstByName(files.map((file) => file.users)),
    contexts: firstByName(files.map((file) => file.contexts)),
    ...(currentContext ? { currentContext } : {}),
  };
}

/**
 * Selects a context (`contextName`, else `current-context`) with its cluster and user.
 *
 * Guarantees: the cluster has a server URL and neither it nor the user uses a feature this loader does not
 * implement (auth-provider, impersonation, proxy-url); otherwise `KUBE_CONFIG_INVALID` says what to change.
 */
export function selectContext(
  config: Kubeconfig,
  contextName: string | undefined,
  origin: string,
): SelectedKubeconfig {
  const name = contextName ?? config.currentContext;
  const known = config.contexts.map((c) => c.name).join(', ') || '(none)';
  if (name === undefined) {
    throw new KubeError(
      'KUBE_CONFIG_INVALID',
      `Kubeconfig from ${origin} has no current-context; set current-context or pass a context (known contexts: ${known}).`,
    );
  }
  const context = config.contexts.find((c) => c.name === name);
  if (!context) {
    throw new KubeError(
      'KUBE_CONFIG_INVALID',
      `Kubeconfig context "${name}" does not exist; known contexts: ${known}.`,
    );
  }
  const cluster = config.clusters.find((c) => c.name === context.cluster);
  if (!cluster?.server) {
    throw new KubeError(
      'KUBE_CONFIG_INVALID',
      `Kubeconfig from ${origin} has no current cluster with a server URL (context "${name}" names cluster "${context.cluster}"); set current-context to a context whose cluster has a server.`,
    );
  }
  const user = context.user === undefined ? undefined : config.users.find((u) => u.name === context.user);
  if (context.user !== undefined && !user) {
    throw new KubeError(
      'KUBE_CONFIG_INVALID',
      `Kubeconfig context "${name}" names user "${context.user}", which no file defines; add it or fix the context.`,
    );
  }
  for (const entry of [cluster, user]) {
    if (entry?.unsupported) {
      throw new KubeError('KUBE_CONFIG_INVALID', `Kubeconfig from ${origin}, ${entry.unsupported}.`);
    }
  }
  const exec = user?.exec;
  if (exec && !(EXEC_API_VERSIONS as readonly string[]).includes(exec.apiVersion)) {
    throw new KubeError(
      'KUBE_CONFIG_INVALID',
      `Kubeconfig user "${user?.name}": exec apiVersion "${exec.apiVersion}" is not supported; use ${EXEC_API_VERSIONS.join(' or ')}.`,
    );
  }
  if (exec?.interactiveAlways) {
    throw new KubeError(
      'KUBE_CONFIG_INVALID',
      `Kubeconfig user "${user?.name}": exec interactiveMode Always needs a terminal, which a server process has none of; use a plugin that runs with IfAvailable or Never.`,
    );
  }
  return { context, cluster, ...(user ? { user } : {}), contexts: config.contexts };
}
