import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createNamespace, kubeConfig } from '../../test/harness/index.ts';
import { KubeClient, type ResourceRef, resourcePath } from './client.ts';
import { isAlreadyExists, isConflict, isNotFound, KubeError } from './errors.ts';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps' };

describe('resourcePath', () => {
  it.each([
    // core group, cluster-wide collection
    [
      { group: '', version: 'v1', plural: 'namespaces' },
      undefined,
      undefined,
      undefined,
      '/api/v1/namespaces',
    ],
    // named group, namespaced object subresource
    [
      { group: 'batch', version: 'v1', plural: 'jobs' },
      'ns',
      'j',
      'status',
      '/apis/batch/v1/namespaces/ns/jobs/j/status',
    ],
  ])('%j %s %s %s → %s', (ref, namespace, name, subresource, path) => {
    expect(resourcePath(ref, namespace, name, subresource)).toBe(path);
  });
});

describe('KubeClient on the real apiserver', () => {
  it('maps answers to typed errors and counts writes', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('client');
    const missing = await client.get(CONFIGMAPS, ns, 'absent').catch((error: unknown) => error);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as KubeError).statusCode).toBe(404);
    expect(await client.getOrUndefined(CONFIGMAPS, ns, 'absent')).toBeUndefined();

    const writes = client.stats.writes;
    const created = await client.create<V1ConfigMap>(CONFIGMAPS, ns, {
      metadata: { name: 'a', namespace: ns },
      data: { k: 'v' },
    });
    const again = await client
      .create(CONFIGMAPS, ns, { metadata: { name: 'a', namespace: ns } })
      .catch((e: unknown) => e);
    expect(isAlreadyExists(again)).toBe(true);
    await client.patch(CONFIGMAPS, ns, 'a', { data: { k: 'w' } }, 'merge');
    // A replace carrying the old resourceVersion is an optimistic-concurrency conflict.
    const stale = await client.replace(CONFIGMAPS, ns, 'a', created).catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    expect(isAlreadyExists(stale)).toBe(false);
    expect(client.stats.writes - writes).toBe(4);

    const invalid = await client
      .create(CONFIGMAPS, ns, { metadata: { name: 'Not_A_DNS_Name', namespace: ns } })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(KubeError);
    expect((invalid as KubeError).statusCode).toBe(422);
    expect((invalid as KubeError).causes.some((cause) => cause.startsWith('metadata.name'))).toBe(true);
  });

  it('refuses writes, and only writes, while the write fence says so', async () => {
    let fenced: string | undefined;
    const client = new KubeClient(kubeConfig(), { writeFence: () => fenced });
    const ns = await createNamespace('fence');
    await client.create(CONFIGMAPS, ns, { metadata: { name: 'before', namespace: ns } });
    fenced = 'this replica is not the leader';
    const refused = await client
      .create(CONFIGMAPS, ns, { metadata: { name: 'after', namespace: ns } })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KubeError);
    expect((refused as KubeError).code).toBe('KUBE_WRITE_FENCED');
    expect((refused as Error).message).toContain('not the leader');
    // Reads still work, and the refused create never reached the apiserver.
    expect(await client.getOrUndefined(CONFIGMAPS, ns, 'after')).toBeUndefined();
    expect(await client.getOrUndefined(CONFIGMAPS, ns, 'before')).toBeDefined();
  });

  it('streams watch events from a resourceVersion', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('client-watch');
    const list = await client.list(CONFIGMAPS, { namespace: ns });
    await client.create(CONFIGMAPS, ns, { metadata: { name: 'w', namespace: ns } } as V1ConfigMap);
    const seen: string[] = [];
    const abort = new AbortController();
    await client.watch<V1ConfigMap>(
      resourcePath(CONFIGMAPS, ns),
      { resourceVersion: list.metadata.resourceVersion },
      (event) => {
        seen.push(`${event.type}:${event.object.metadata?.name}`);
        abort.abort();
      },
      { signal: abort.signal },
    );
    expect(seen).toEqual(['ADDED:w']);
  });
});
