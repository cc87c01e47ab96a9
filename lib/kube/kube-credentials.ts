import type https from 'node:https';

/**
 * What a {@link KubeClient} needs from a Kubernetes configuration: the server, the identity's name, the
 * context's namespace, and the TLS options and headers of each request.
 *
 * `loadKubeConfig` (`lib/kube/kubeconfig.ts`) returns one without loading `@kubernetes/client-node`; a
 * client-node `KubeConfig` satisfies it too, so tests and tools that already hold one pass it unchanged.
 */
export interface KubeCredentials {
  /** The current context's cluster; `server` is its URL. */
  getCurrentCluster(): { readonly name: string; readonly server: string } | null;
  /** The current context's user entry (its name in the kubeconfig, not the identity the apiserver sees). */
  getCurrentUser(): { readonly name: string } | null;
  /** The current context's name. */
  getCurrentContext(): string;
  /** A context by name; `namespace` is the one it selects, if any. */
  getContextObject(name: string): { readonly name: string; readonly namespace?: string } | null;
  /**
   * Adds the CA, client certificate and key, server name and `Authorization` header to one request's
   * options. Called before every request, so rotated tokens and expiring exec credentials are renewed.
   */
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}
