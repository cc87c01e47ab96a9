import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createNamespace, kubeConfig } from '../../test/harness/index.ts';
import {
  inDomains,
  keepAnnotationsOf,
  LAST_APPLIED_ANNOTATION,
  slimMetadata,
  stripManagedFields,
} from './cache-transform.ts';
import { KubeClient, type ResourceRef } from './client.ts';
import { createInformer } from './informer.ts';
import { waitFor } from './test-support.ts';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps' };

describe('cache transforms (pure)', () => {
  const metadata = {
    name: 'a',
    managedFields: [{ manager: 'kubectl' }],
    annotations: {
      [LAST_APPLIED_ANNOTATION]: '{"big":"copy"}',
      'pipeline.shazam.dev/takes-over': 'ns/old',
      'argocd.argoproj.io/tracking-id': 'app:x',
    },
  };

  it('drops managedFields and the last-applied copy by default, keeping other annotations', () => {
    const slim = slimMetadata(metadata);
    expect(slim).toEqual({
      name: 'a',
      annotations: {
        'pipeline.shazam.dev/takes-over': 'ns/old',
        'argocd.argoproj.io/tracking-id': 'app:x',
      },
    });
    expect(metadata.managedFields).toHaveLength(1);
  });

  it('keeps only annotations of the named domains and their subdomains; none left means no field', () => {
    const transform = keepAnnotationsOf<{ metadata: typeof metadata }>(['shazam.dev']);
    expect(transform({ metadata }).metadata).toEqual({
      name: 'a',
      annotations: { 'pipeline.shazam.dev/takes-over': 'ns/old' },
    });
    expect(slimMetadata({ name: 'b', annotations: { x: 'y' } }, inDomains(['shazam.dev']))).toEqual({
      name: 'b',
    });
    expect(inDomains(['shazam.dev'])('evilshazam.dev/x')).toBe(false);
    expect(stripManagedFields<{ kind: string; metadata?: object }>({ kind: 'X' })).toEqual({ kind: 'X' });
  });
});

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe('an informer with a transform, on the real apiserver', () => {
  it('caches and hands out transformed objects from the list and from the watch', async () => {
    const kc = kubeConfig();
    const client = new KubeClient(kc);
    const ns = await createNamespace('transform');
    const configMap = (name: string, v: string): V1ConfigMap => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns, annotations: { [LAST_APPLIED_ANNOTATION]: 'x'.repeat(2000) } },
      data: { v },
    });
    await client.create(CONFIGMAPS, ns, configMap('listed', '1') as KubernetesObject, {
      fieldManager: 'kubectl-client-side-apply',
    });
    // The apiserver records managedFields on every write.
    const stored = await client.get<V1ConfigMap>(CONFIGMAPS, ns, 'listed');
    expect(stored.metadata?.managedFields?.length).toBeGreaterThan(0);

    const informer = createInformer<V1ConfigMap>({
      kubeConfig: kc,
      ...CONFIGMAPS,
      namespaces: [ns],
      transform: stripManagedFields,
    });
    stops.push(informer.stop);
    const seen: V1ConfigMap[] = [];
    informer.on('add', (o) => seen.push(o));
    informer.on('update', (o) => seen.push(o));
    await informer.start();
    await client.create(CONFIGMAPS, ns, configMap('watched', '1') as KubernetesObject);
    await client.patch(CONFIGMAPS, ns, 'watched', { data: { v: '2' } }, 'merge');
    await waitFor('the update', () => informer.get(ns, 'watched')?.data?.v === '2');

    for (const name of ['listed', 'watched']) {
      const cached = informer.get(ns, name);
      expect(cached?.metadata?.managedFields).toBeUndefined();
      expect(cached?.metadata?.annotations).toBeUndefined();
      expect(cached?.metadata?.resourceVersion).toMatch(/^\d+$/);
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const object of seen) expect(object.metadata?.managedFields).toBeUndefined();
  });
});
