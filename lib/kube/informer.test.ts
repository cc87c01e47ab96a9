import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createNamespace, kubeConfig } from '../../test/harness/index.ts';
import { KubeClient, type ResourceRef } from './client.ts';
import { createInformer, type Informer } from './informer.ts';
import { ensureWidgetCrd, WIDGETS, waitFor } from './test-support.ts';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps' };

function configMap(
  namespace: string,
  name: string,
  data: Record<string, string> = {},
  labels?: Record<string, string>,
): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

/** Records every event an informer emits, as `type:namespace/name`. */
function record<T extends KubernetesObject>(informer: Informer<T>): string[] {
  const events: string[] = [];
  const key = (o: T) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  informer.on('add', (o) => events.push(`add:${key(o)}`));
  informer.on('update', (o) => events.push(`update:${key(o)}`));
  informer.on('delete', (o) => events.push(`delete:${key(o)}`));
  return events;
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe('createInformer on the real apiserver', () => {
  it('lists existing objects before start() resolves, then follows adds, updates and deletes', async () => {
    const kc = kubeConfig();
    const client = new KubeClient(kc);
    const ns = await createNamespace('informer');
    await client.create(CONFIGMAPS, ns, configMap(ns, 'before', { v: '1' }));
    const informer = createInformer<V1ConfigMap>({ kubeConfig: kc, ...CONFIGMAPS, namespaces: [ns] });
    stops.push(informer.stop);
    const events = record(informer);
    expect(informer.hasSynced()).toBe(false);
    await informer.start();
    expect(informer.hasSynced()).toBe(true);
    expect(informer.get(ns, 'before')?.data).toEqual({ v: '1' });
    expect(events).toEqual([`add:${ns}/before`]);

    await client.create(CONFIGMAPS, ns, configMap(ns, 'after', { v: '1' }));
    await waitFor('the add', () => informer.get(ns, 'after'));
    await client.patch(CONFIGMAPS, ns, 'after', { data: { v: '2' } }, 'merge');
    await waitFor('the update', () => informer.get(ns, 'after')?.data?.v === '2');
    await client.delete(CONFIGMAPS, ns, 'before');
    await waitFor('the delete', () => informer.get(ns, 'before') === undefined);
    expect(events).toEqual([
      `add:${ns}/before`,
      `add:${ns}/after`,
      `update:${ns}/after`,
      `delete:${ns}/before`,
    ]);
    expect(informer.list(ns).map((o) => o.metadata?.name)).toEqual(['after']);
  });

  it('watches only the given namespaces, one list/watch each, and applies the label selector', async () => {
    const kc = kubeConfig();
    const client = new KubeClient(kc);
    const [a, b, other] = await Promise.all([
      createNamespace('inf-a'),
      createNamespace('inf-b'),
      createNamespace('inf-c'),
    ]);
    const informer = createInformer<V1ConfigMap>({
      kubeConfig: kc,
      ...CONFIGMAPS,
      namespaces: [a, b],
      labelSelector: 'app=shazam',
    });
    stops.push(informer.stop);
    await informer.start();
    const labels = { app: 'shazam' };
    await client.create(CONFIGMAPS, a, configMap(a, 'one', {}, labels));
    await client.create(CONFIGMAPS, b, configMap(b, 'two', {}, labels));
    await client.create(CONFIGMAPS, b, configMap(b, 'unlabelled'));
    await client.create(CONFIGMAPS, other, configMap(other, 'three', {}, labels));
    // A marker written last in a watched namespace: once it is seen, the earlier writes have been too.
    await client.create(CONFIGMAPS, b, configMap(b, 'marker', {}, labels));
    await waitFor('the marker', () => informer.get(b, 'marker'));
    expect(informer.list(a).map((o) => o.metadata?.name)).toEqual(['one']);
    expect(
      informer
        .list(b)
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['marker', 'two']);
    expect(informer.list(other)).toEqual([]);
    expect(informer.get(other, 'three')).toBeUndefined();
    expect(informer.list()).toHaveLength(3);
  });

  it('caches custom resources across all namespaces when no namespace is given', async () => {
    const kc = kubeConfig();
    const client = new KubeClient(kc);
    await ensureWidgetCrd(client);
    const ns = await createNamespace('inf-crd');
    const informer = createInformer<KubernetesObject>({ kubeConfig: kc, ...WIDGETS });
    stops.push(informer.stop);
    await informer.start();
    await client.create(WIDGETS, ns, {
      apiVersion: `${WIDGETS.group}/${WIDGETS.version}`,
      kind: 'Widget',
      metadata: { name: 'gadget', namespace: ns },
      spec: { size: 3 },
    } as KubernetesObject);
    const cached = await waitFor('the Widget', () => informer.get(ns, 'gadget'));
    expect(cached.kind).toBe('Widget');
  });

  it('caches cluster-scoped objects under their name alone', async () => {
    const kc = kubeConfig();
    const client = new KubeClient(kc);
    const label = `informer-test-${Date.now()}`;
    const informer = createInformer<KubernetesObject>({
      kubeConfig: kc,
      group: '',
      version: 'v1',
      plural: 'namespaces',
      labelSelector: `run=${label}`,
    });
    stops.push(informer.stop);
    await informer.start();
    expect(informer.list()).toEqual([]);
    const name = `cluster-scoped-${Date.now()}`;
    await client.create({ group: '', version: 'v1', plural: 'namespaces' }, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { run: label } },
    });
    const cached = await waitFor('the Namespace', () => informer.get(undefined, name));
    expect(cached.metadata?.name).toBe(name);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual([name]);
  });

  it('re-emits update for every cached object on each resync', async () => {
    const kc = kubeConfig();
    const client = new KubeClient(kc);
    const ns = await createNamespace('inf-resync');
    await client.create(CONFIGMAPS, ns, configMap(ns, 'x'));
    await client.create(CONFIGMAPS, ns, configMap(ns, 'y'));
    const informer = createInformer<V1ConfigMap>({
      kubeConfig: kc,
      ...CONFIGMAPS,
      namespaces: [ns],
      resyncMs: 100,
    });
    stops.push(informer.stop);
    const updates: { name: string | undefined; same: boolean }[] = [];
    let resyncs = 0;
    informer.on('update', (o, old) => updates.push({ name: o.metadata?.name, same: o === old }));
    informer.on('resync', () => resyncs++);
    await informer.start();
    await waitFor('two resyncs', () => resyncs >= 2);
    informer.stop();
    const names = updates.map((u) => u.name);
    expect(names.filter((n) => n === 'x').length).toBeGreaterThanOrEqual(2);
    expect(names.filter((n) => n === 'y').length).toBeGreaterThanOrEqual(2);
    expect(updates.every((u) => u.same)).toBe(true);
  });

  it('pages through large lists', async () => {
    const kc = kubeConfig();
    const client = new KubeClient(kc);
    const ns = await createNamespace('inf-pages');
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => client.create(CONFIGMAPS, ns, configMap(ns, `cm-${i}`))),
    );
    const before = client.stats.byMethod.GET ?? 0;
    const informer = createInformer<V1ConfigMap>({
      kubeConfig: kc,
      client,
      ...CONFIGMAPS,
      namespaces: [ns],
      pageSize: 10,
    });
    stops.push(informer.stop);
    await informer.start();
    expect(informer.list(ns).filter((o) => o.metadata?.name?.startsWith('cm-'))).toHaveLength(25);
    // Three pages of at most ten (the watch is a GET too, counted once it starts).
    expect((client.stats.byMethod.GET ?? 0) - before).toBeGreaterThanOrEqual(3);
  });
});
