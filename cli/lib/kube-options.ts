import { type OptionSpec, type ParsedArgs, stringOption } from '../../lib/cli/args.ts';
import type { CliIO } from '../../lib/cli/command.ts';
import { KubeClient } from '../../lib/kube/client.ts';
import type { KubeCredentials } from '../../lib/kube/kube-credentials.ts';
import { loadKubeConfig } from '../../lib/kube/kubeconfig.ts';

/** The options every command that talks to Kubernetes accepts, as kubectl spells them. */
export const KUBE_OPTIONS: OptionSpec = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
};

/** Usage lines for {@link KUBE_OPTIONS}. */
export const KUBE_OPTIONS_USAGE = [
  '  --kubeconfig <file>   kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)',
  '  --context <name>      kubeconfig context (default: its current-context)',
  '  -n, --namespace <ns>  namespace (default: the context namespace, else "default")',
].join('\n');

/** A client that acts with the caller's identity, and the namespace to work in. */
export interface KubeTarget {
  /** Close it when done: its keep-alive connections would otherwise hold the process open. */
  client: KubeClient;
  namespace: string;
  kubeConfig: KubeCredentials;
}

/** Builds the client and namespace from `--kubeconfig`, `--context`, `--namespace` and the environment. */
export function kubeTargetFromArgs(args: ParsedArgs, io: CliIO): KubeTarget {
  const path = stringOption(args, 'kubeconfig');
  const context = stringOption(args, 'context');
  const kubeConfig = loadKubeConfig({
    env: io.env,
    ...(path !== undefined ? { path } : {}),
    ...(context !== undefined ? { context } : {}),
  });
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  const namespace = stringOption(args, 'namespace') ?? contextNamespace ?? 'default';
  return { client: new KubeClient(kubeConfig, { userAgent: 'shazam-cli' }), namespace, kubeConfig };
}
