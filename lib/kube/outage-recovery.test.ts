import { KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from '../../test/harness/index.ts';
import { KubeClient, type ResourceRef } from './client.ts';
import { createInformer } from './informer.ts';
import { createLeaderElector } from './leader-election.ts';
import type { KubeLogger } from './logger.ts';
import { waitFor } from './test-support.ts';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps' };
const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces' };

function configMap(namespace: string, name: string): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { name } };
}

/** A logger that keeps the messages, to observe which recovery path the informer took. */
function capturingLogger(): KubeLogger & { messages: string[] } {
  const messages: string[] = [];
  const keep = (_fields: Record<string, unknown>, message: string) => void messages.push(message);
  return { messages, debug: keep, info: keep, warn: keep, error: keep };
}

// A private control plane: these tests stop the apiserver and compact etcd's history, which would disturb
// every other test on the shared one. The watch cache is off so that watches read etcd and see compaction.
let plane: ControlPlane;
let kc: KubeConfig;
let client: KubeClient;
beforeAll(async () => {
  plane = await startControlPlane({
    apiserverArgs: ['--watch-cache=false', '--etcd-compaction-interval=1s'],
  });
  kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  client = new KubeClient(kc);
}, 120_000);
afterAll(async () => {
  client?.close();
  await plane?.stop();
});

async function namespace(name: string): Promise<string> {
  await client.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

describe('recovery from apiserver outages', () => {
  it('survives an apiserver restart without emptying its cache, deleting only what is gone', async () => {
    const ns = await namespace('restart');
    for (const name of ['keep-1', 'keep-2', 'doomed'])
      await client.create(CONFIGMAPS, ns, configMap(ns, name));
    const log = capturingLogger();
    const informer = createInformer<V1ConfigMap>({
      kubeConfig: kc,
      ...CONFIGMAPS,
      namespaces: [ns],
      log,
      retryBackoff: { initialMs: 1500, maxMs: 3000 },
    });
    const deleted: string[] = [];
    const added: string[] = [];
    let smallest = Number.POSITIVE_INFINITY;
    const watchSize = () => {
      smallest = Math.min(smallest, informer.list(ns).length);
    };
    informer.on('delete', (o) => {
      deleted.push(o.metadata?.name ?? '');
      watchSize();
    });
    informer.on('add', (o) => {
      added.push(o.metadata?.name ?? '');
      watchSize();
    });
    informer.on('update', watchSize);
    let errors = 0;
    informer.on('error', () => errors++);
    try {
      await informer.start();
      expect(informer.list(ns)).toHaveLength(3);

      await plane.stopApiserver();
      await waitFor('the informer to notice the apiserver is gone', () => errors > 0);
      expect(informer.list(ns)).toHaveLength(3);

      await plane.startApiserver();
      await client.delete(CONFIGMAPS, ns, 'doomed');
      await client.create(CONFIGMAPS, ns, configMap(ns, 'born'));
      await waitFor('the cache to converge', () => informer.get(ns, 'born') && !informer.get(ns, 'doomed'));
      expect(
        informer
          .list(ns)
          .map((o) => o.metadata?.name)
          .sort(),
      ).toEqual(['born', 'keep-1', 'keep-2']);
      expect(deleted).toEqual(['doomed']);
      // The list answers in name order.
      expect(added).toEqual(['doomed', 'keep-1', 'keep-2', 'born']);
      // After the first list the cache never dropped below the two objects that always existed.
      expect(smallest).toBeGreaterThanOrEqual(2);
      expect(log.messages).toContain('List/watch failed');
    } finally {
      informer.stop();
    }
  }, 120_000);

  it('re-lists when its resourceVersion is compacted away (410 Gone) and stays correct', async () => {
    const quiet = await namespace('quiet');
    const busy = await namespace('busy');
    await client.create(CONFIGMAPS, quiet, configMap(quiet, 'first'));
    const log = capturingLogger();
    const informer = createInformer<V1ConfigMap>({
      kubeConfig: kc,
      ...CONFIGMAPS,
      namespaces: [quiet],
      log,
      // Short watches: each re-watch starts from the last resourceVersion seen in the quiet namespace,
      // which compaction overtakes while the busy namespace moves etcd's revision forward.
      watchTimeoutSeconds: [1, 1],
    });
    try {
      await informer.start();
      await waitFor(
        'a 410 Gone and a re-list',
        async () => {
          await client.create(CONFIGMAPS, busy, configMap(busy, `cm-${Date.now()}`));
          return log.messages.includes('Watch expired, re-listing');
        },
        60_000,
        200,
      );
      await client.create(CONFIGMAPS, quiet, configMap(quiet, 'second'));
      await waitFor('the post-recovery add', () => informer.get(quiet, 'second'));
      expect(
        informer
          .list(quiet)
          .map((o) => o.metadata?.name)
          .sort(),
      ).toEqual(['first', 'second']);
      expect(log.messages).not.toContain('List/watch failed');
    } finally {
      informer.stop();
    }
  }, 120_000);

  it('stops leading when the lease cannot be renewed, and leads again once the apiserver is back', async () => {
    const ns = await namespace('lease');
    const events: string[] = [];
    let signal: AbortSignal | undefined;
    const elector = createLeaderElector({
      kubeConfig: kc,
      namespace: ns,
      name: 'lock',
      identity: 'only',
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 250,
      onStartedLeading: (s) => {
        signal = s;
        events.push('started');
      },
      onStoppedLeading: () => events.push('stopped'),
    });
    try {
      elector.start();
      await waitFor('leadership', () => elector.isLeader());
      const first = signal;
      await plane.stopApiserver();
      await waitFor('leadership to end past the renew deadline', () => !elector.isLeader(), 30_000);
      expect(first?.aborted).toBe(true);
      await plane.startApiserver();
      await waitFor('leadership again', () => elector.isLeader(), 60_000);
      expect(events).toEqual(['started', 'stopped', 'started']);
    } finally {
      await elector.stop();
    }
  }, 120_000);
});
