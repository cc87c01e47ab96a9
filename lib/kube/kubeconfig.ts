import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './errors.ts';

/** Where the service account's token is mounted in a pod. */
export const IN_CLUSTER_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Options of {@link loadKubeConfig}. */
export interface LoadKubeConfigOptions {
  /** A kubeconfig file. When set, only this file is tried. */
  path?: string;
  /** Use the pod's service account (`KUBERNETES_SERVICE_HOST` and the mounted token). */
  inCluster?: boolean;
  /** Context to select instead of the file's `current-context`. */
  context?: string;
  /** Environment for the default chain (`KUBECONFIG`, `KUBERNETES_SERVICE_HOST`); pass `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory for `~/.kube/config`; defaults to the user's. */
  homeDir?: string;
  /** Token file for in-cluster loading; tests point it elsewhere. */
  tokenPath?: string;
}

/**
 * Loads a {@link KubeConfig}: from `path`, in-cluster, or the default chain (`$KUBECONFIG`, then
 * `~/.kube/config`, then in-cluster), and checks that it names a cluster.
 *
 * Guarantees: the returned config has a current cluster with a server URL; anything else throws a
 * {@link KubeError} `KUBE_CONFIG_NOT_FOUND` or `KUBE_CONFIG_INVALID` whose message says what to fix.
 *
 * Caveats: unlike `KubeConfig.loadFromDefault`, it never falls back to `http://localhost:8080`, which hides
 * a missing configuration until the first request.
 *
 * @example
 * const kc = loadKubeConfig({ env: process.env });
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? {};
  if (options.path !== undefined) return fromFiles([options.path], options.context, 'the --kubeconfig path');
  if (options.inCluster) return fromCluster(env, options.tokenPath ?? IN_CLUSTER_TOKEN_PATH);

  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((part) => part.length > 0);
  if (fromEnv.length > 0) return fromFiles(fromEnv, options.context, '$KUBECONFIG');
  const home = join(options.homeDir ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return fromFiles([home], options.context, home);
  const tokenPath = options.tokenPath ?? IN_CLUSTER_TOKEN_PATH;
  if (env.KUBERNETES_SERVICE_HOST && existsSync(tokenPath)) return fromCluster(env, tokenPath);
  throw new KubeError(
    'KUBE_CONFIG_NOT_FOUND',
    `No Kubernetes configuration found: $KUBECONFIG is unset, ${home} does not exist and this is not a pod. ` +
      'Pass a kubeconfig path, set KUBECONFIG, or run in a pod with a service account.',
  );
}

function fromFiles(paths: string[], context: string | undefined, origin: string): KubeConfig {
  const config = new KubeConfig();
  for (const path of paths) {
    if (!existsSync(path)) {
      throw new KubeError(
        'KUBE_CONFIG_NOT_FOUND',
        `Kubeconfig ${path} (from ${origin}) does not exist; fix the path.`,
      );
    }
    const part = new KubeConfig();
    try {
      part.loadFromFile(path);
    } catch (cause) {
      throw new KubeError(
        'KUBE_CONFIG_INVALID',
        `Kubeconfig ${path} (from ${origin}) could not be read: ${(cause as Error).message}. Check that it is a valid kubeconfig YAML file.`,
        { cause },
      );
    }
    if (config.clusters.length === 0) config.loadFromString(part.exportConfig());
    else config.mergeConfig(part, true);
  }
  if (context !== undefined) {
    if (!config.getContextObject(context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new KubeError(
        'KUBE_CONFIG_INVALID',
        `Kubeconfig context "${context}" does not exist; known contexts: ${known.join(', ') || '(none)'}.`,
      );
    }
    config.setCurrentContext(context);
  }
  return checked(config, origin);
}

function fromCluster(env: Readonly<Record<string, string | undefined>>, tokenPath: string): KubeConfig {
  if (!env.KUBERNETES_SERVICE_HOST || !existsSync(tokenPath)) {
    throw new KubeError(
      'KUBE_CONFIG_NOT_FOUND',
      `In-cluster configuration needs KUBERNETES_SERVICE_HOST and a token at ${tokenPath}; run in a pod whose ServiceAccount token is mounted.`,
    );
  }
  const config = new KubeConfig();
  config.loadFromCluster();
  return checked(config, 'the in-cluster service account');
}

function checked(config: KubeConfig, origin: string): KubeConfig {
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeError(
      'KUBE_CONFIG_INVALID',
      `Kubeconfig from ${origin} has no current cluster with a server URL; set current-context to a context whose cluster has a server.`,
    );
  }
  return config;
}
