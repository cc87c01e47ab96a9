import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createNamespace, kubeConfig } from '../../test/harness/index.ts';
import { KubeClient } from './client.ts';
import { isConflict } from './errors.ts';
import { writeStatusRetryingConflicts } from './status-retry.ts';
import { ensureWidgetCrd, WIDGETS } from './test-support.ts';

interface Widget extends KubernetesObject {
  metadata: { name: string; namespace: string; resourceVersion?: string; generation?: number };
  spec: { size: number };
  status?: { seen?: string[]; phase?: string };
}

async function setup(name: string) {
  const client = new KubeClient(kubeConfig());
  await ensureWidgetCrd(client);
  const namespace = await createNamespace('status-retry');
  const widget: Widget = {
    apiVersion: `${WIDGETS.group}/${WIDGETS.version}`,
    kind: 'Widget',
    metadata: { name, namespace },
    spec: { size: 1 },
  };
  const created = await client.create<Widget>(WIDGETS, namespace, widget);
  return { client, namespace, created };
}

describe('writeStatusRetryingConflicts on the real apiserver', () => {
  it('answers a conflicting status write with a fresh read, recomputing from what the other writer wrote', async () => {
    const { client, namespace, created } = await setup('w1');
    // Another writer moves the status after our read: our copy is stale.
    await client.patch(WIDGETS, namespace, 'w1', { status: { seen: ['other'] } }, 'merge', {
      subresource: 'status',
    });
    const computedFrom: (string[] | undefined)[] = [];
    const outcome = await writeStatusRetryingConflicts<Widget>({
      client,
      ref: WIDGETS,
      object: created,
      status: (current) => {
        computedFrom.push(current.status?.seen);
        return { phase: 'Ready', seen: [...(current.status?.seen ?? []), 'us'] };
      },
    });
    expect(outcome.conflicts).toBe(1);
    expect(computedFrom).toEqual([undefined, ['other']]);
    const stored = await client.get<Widget>(WIDGETS, namespace, 'w1');
    expect(stored.status).toEqual({ phase: 'Ready', seen: ['other', 'us'] });
    expect(outcome.written?.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
  });

  it('writes nothing when the fresh object already has the status', async () => {
    const { client, namespace, created } = await setup('w2');
    await client.patch(WIDGETS, namespace, 'w2', { status: { phase: 'Ready' } }, 'merge', {
      subresource: 'status',
    });
    const writes = client.stats.writes;
    const outcome = await writeStatusRetryingConflicts<Widget>({
      client,
      ref: WIDGETS,
      object: created,
      status: () => ({ phase: 'Ready' }),
    });
    expect(outcome).toMatchObject({ written: undefined, conflicts: 1 });
    expect(client.stats.writes).toBe(writes + 1);
  });

  it('hands the conflict back when the spec changed since the status was decided', async () => {
    const { client, namespace, created } = await setup('w3');
    await client.patch(WIDGETS, namespace, 'w3', { spec: { size: 2 } }, 'merge');
    const error = await writeStatusRetryingConflicts<Widget>({
      client,
      ref: WIDGETS,
      object: created,
      status: () => ({ phase: 'Ready' }),
    }).catch((e: unknown) => e);
    expect(isConflict(error)).toBe(true);
    expect((await client.get<Widget>(WIDGETS, namespace, 'w3')).status).toBeUndefined();
  });
});
