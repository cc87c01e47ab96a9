import type { V1ConfigMap, V1Container, V1Job, V1Secret } from '@kubernetes/client-node';
import type { KubeClient } from '../../lib/kube/client.ts';
import { isNotFound } from '../../lib/kube/errors.ts';
import { LocalJobSpecError } from './process-spec.ts';

const SECRETS = { group: '', version: 'v1', plural: 'secrets' };
const CONFIGMAPS = { group: '', version: 'v1', plural: 'configmaps' };

/**
 * Resolves a container's `envFrom` and `env` into name/value pairs in the kubelet's order (envFrom first,
 * then env, later entries winning), reading Secrets and ConfigMaps through the API.
 *
 * Guarantees: a missing Secret/ConfigMap or key fails with a {@link LocalJobSpecError} naming it, unless the
 * reference is `optional`, in which case the variable is left out (as the kubelet does). `fieldRef` supports
 * `metadata.name` (a stable pseudo pod name), `metadata.namespace` and `metadata.uid`.
 */
export async function resolveEnv(
  client: KubeClient,
  job: V1Job,
  container: V1Container,
): Promise<{ name: string; value: string }[]> {
  const namespace = job.metadata?.namespace ?? 'default';
  const secrets = new Map<string, V1Secret | undefined>();
  const configMaps = new Map<string, V1ConfigMap | undefined>();
  const secret = async (name: string) => {
    if (!secrets.has(name))
      secrets.set(name, await getOrUndefined<V1Secret>(client, SECRETS, namespace, name));
    return secrets.get(name);
  };
  const configMap = async (name: string) => {
    if (!configMaps.has(name))
      configMaps.set(name, await getOrUndefined<V1ConfigMap>(client, CONFIGMAPS, namespace, name));
    return configMaps.get(name);
  };
  const missing = (what: string) =>
    new LocalJobSpecError(
      `Job ${namespace}/${job.metadata?.name} needs ${what}, which does not exist; create it or mark the reference optional.`,
    );

  const out: { name: string; value: string }[] = [];
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    if (source.secretRef) {
      const found = await secret(source.secretRef.name ?? '');
      if (!found) {
        if (source.secretRef.optional) continue;
        throw missing(`Secret ${source.secretRef.name}`);
      }
      for (const [key, value] of Object.entries(found.data ?? {}))
        out.push({ name: prefix + key, value: decode(value) });
    } else if (source.configMapRef) {
      const found = await configMap(source.configMapRef.name ?? '');
      if (!found) {
        if (source.configMapRef.optional) continue;
        throw missing(`ConfigMap ${source.configMapRef.name}`);
      }
      for (const [key, value] of Object.entries(found.data ?? {})) out.push({ name: prefix + key, value });
    }
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!from) {
      out.push({ name: variable.name, value: variable.value ?? '' });
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const value = (await secret(ref.name ?? ''))?.data?.[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw missing(`key ${ref.key} of Secret ${ref.name}`);
      }
      out.push({ name: variable.name, value: decode(value) });
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const value = (await configMap(ref.name ?? ''))?.data?.[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw missing(`key ${ref.key} of ConfigMap ${ref.name}`);
      }
      out.push({ name: variable.name, value });
    } else if (from.fieldRef) {
      const fields: Record<string, string | undefined> = {
        'metadata.name': `${job.metadata?.name}-local`,
        'metadata.namespace': namespace,
        'metadata.uid': job.metadata?.uid,
      };
      const value = fields[from.fieldRef.fieldPath];
      if (value === undefined) {
        throw new LocalJobSpecError(
          `Job ${namespace}/${job.metadata?.name}: fieldRef ${from.fieldRef.fieldPath} is not available to local runs.`,
        );
      }
      out.push({ name: variable.name, value });
    } else {
      throw new LocalJobSpecError(
        `Job ${namespace}/${job.metadata?.name}: env ${variable.name} uses a valueFrom the local runner does not support.`,
      );
    }
  }
  return out;
}

async function getOrUndefined<T>(
  client: KubeClient,
  ref: typeof SECRETS,
  namespace: string,
  name: string,
): Promise<T | undefined> {
  try {
    return (await client.get(ref, namespace, name)) as T;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function decode(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}
