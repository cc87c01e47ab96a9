import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createNamespace, kubeConfig } from '../../test/harness/index.ts';
import { KubeClient, type ResourceRef } from './client.ts';
import { classifyFinalizer, type FinalizerStep, removeFinalizerPatch, runFinalizer } from './finalizer.ts';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps' };
const OURS = 'pipeline.shazam.dev/cleanup';
const THEIRS = 'example.com/other';

describe('classifyFinalizer', () => {
  it.each<[boolean, boolean, FinalizerStep]>([
    // a new object: add the finalizer before doing anything that would need cleaning up
    [false, false, 'addFinalizer'],
    // the normal case
    [true, false, 'apply'],
    // being deleted and still ours to clean
    [true, true, 'cleanup'],
    // being deleted, already cleaned (or never ours): leave it alone
    [false, true, 'done'],
  ])('hasFinalizer=%s isDeleting=%s → %s', (hasFinalizer, isDeleting, step) => {
    expect(classifyFinalizer({ hasFinalizer, isDeleting })).toBe(step);
  });

  it('removes by index behind a test of that index', () => {
    const object = { metadata: { finalizers: [THEIRS, OURS] } };
    expect(removeFinalizerPatch(object, OURS)).toEqual([
      { op: 'test', path: '/metadata/finalizers/1', value: OURS },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    expect(removeFinalizerPatch(object, 'absent')).toBeUndefined();
  });
});

describe('runFinalizer on the real apiserver', () => {
  it('adds, applies, cleans up and removes only its own finalizer', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('finalizer');
    const read = () => client.get<V1ConfigMap>(CONFIGMAPS, ns, 'target');
    await client.create<V1ConfigMap>(CONFIGMAPS, ns, { metadata: { name: 'target', namespace: ns } });
    const calls: string[] = [];
    const run = async (object: V1ConfigMap) =>
      runFinalizer({
        client,
        ref: CONFIGMAPS,
        object,
        finalizer: OURS,
        apply: async () => void calls.push('apply'),
        cleanup: async () => void calls.push('cleanup'),
      });

    expect((await run(await read())).step).toBe('addFinalizer');
    expect((await read()).metadata?.finalizers).toEqual([OURS]);
    expect((await run(await read())).step).toBe('apply');

    // Someone else adds a finalizer after our read: our stale view must not overwrite theirs.
    const stale = await read();
    await client.patch(CONFIGMAPS, ns, 'target', { metadata: { finalizers: [OURS, THEIRS] } }, 'merge');
    const staleAdd = await runFinalizer({
      client,
      ref: CONFIGMAPS,
      object: { ...stale, metadata: { ...stale.metadata, finalizers: [] } },
      finalizer: OURS,
      apply: async () => {},
      cleanup: async () => {},
    });
    expect(staleAdd.step).toBe('stale');
    expect((await read()).metadata?.finalizers).toEqual([OURS, THEIRS]);

    await client.delete(CONFIGMAPS, ns, 'target');
    const deleting = await read();
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    expect((await run(deleting)).step).toBe('cleanup');
    expect((await read()).metadata?.finalizers).toEqual([THEIRS]);
    expect((await run(await read())).step).toBe('done');
    expect(calls).toEqual(['apply', 'cleanup']);
  });

  it('keeps the finalizer when cleanup fails', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('finalizer-fail');
    await client.create<V1ConfigMap>(CONFIGMAPS, ns, {
      metadata: { name: 'target', namespace: ns, finalizers: [OURS] },
    });
    await client.delete(CONFIGMAPS, ns, 'target');
    const object = await client.get<V1ConfigMap>(CONFIGMAPS, ns, 'target');
    await expect(
      runFinalizer({
        client,
        ref: CONFIGMAPS,
        object,
        finalizer: OURS,
        apply: async () => {},
        cleanup: async () => {
          throw new Error('bucket unreachable');
        },
      }),
    ).rejects.toThrow('bucket unreachable');
    expect((await client.get<V1ConfigMap>(CONFIGMAPS, ns, 'target')).metadata?.finalizers).toEqual([OURS]);
    await client.patch(CONFIGMAPS, ns, 'target', [{ op: 'remove', path: '/metadata/finalizers' }], 'json');
  });
});
