import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createNamespace, kubeConfig } from '../../test/harness/index.ts';
import { KubeClient } from './client.ts';
import { KubeError } from './errors.ts';
import {
  type Condition,
  mergePatchDiff,
  patchStatusIfChanged,
  retryOnConflict,
  semanticEqual,
  setCondition,
} from './status.ts';
import { ensureWidgetCrd, WIDGETS } from './test-support.ts';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:05:00Z';
const ready = (status: Condition['status'], reason = 'R'): Omit<Condition, 'lastTransitionTime'> => ({
  type: 'Ready',
  status,
  reason,
  message: '',
});

describe('setCondition', () => {
  it('stamps a new condition with now', () => {
    expect(setCondition(undefined, ready('True'), T0)).toEqual([
      { ...ready('True'), lastTransitionTime: T0 },
    ]);
  });

  it('keeps lastTransitionTime when only reason or message change', () => {
    const before = setCondition(undefined, ready('True', 'A'), T0);
    const after = setCondition(before, { ...ready('True', 'B'), message: 'new' }, T1);
    expect(after).toEqual([{ ...ready('True', 'B'), message: 'new', lastTransitionTime: T0 }]);
    expect(before[0]?.reason).toBe('A');
  });

  it('moves lastTransitionTime when the status flips, keeping other conditions in place', () => {
    const base = setCondition(
      setCondition(undefined, ready('True'), T0),
      { ...ready('False'), type: 'Validated' },
      T0,
    );
    const after = setCondition(base, ready('False'), T1);
    expect(after.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['Ready', 'False', T1],
      ['Validated', 'False', T0],
    ]);
  });
});

describe('semanticEqual and mergePatchDiff', () => {
  it.each([
    // timestamps of transitions do not make a status different
    [
      { conditions: [{ ...ready('True'), lastTransitionTime: T0 }] },
      { conditions: [{ ...ready('True'), lastTransitionTime: T1 }] },
      true,
    ],
    // condition order does not matter
    [
      { conditions: [ready('True'), { ...ready('True'), type: 'X' }] },
      { conditions: [{ ...ready('True'), type: 'X' }, ready('True')] },
      true,
    ],
    // a status flip does
    [{ conditions: [ready('True')] }, { conditions: [ready('False')] }, false],
    // a missing key equals undefined
    [{ phase: 'A', message: undefined }, { phase: 'A' }, true],
    [{ phase: 'A' }, { phase: 'B' }, false],
  ])('semanticEqual(%j, %j) is %s', (a, b, equal) => {
    expect(semanticEqual(a, b)).toBe(equal);
  });

  it('produces nulls for removed keys and nothing for equal values', () => {
    expect(mergePatchDiff({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { a: 1, b: { c: 2 }, e: [1, 2] })).toEqual({
      b: { d: null },
      e: [1, 2],
    });
    expect(mergePatchDiff({ a: [1] }, { a: [1] })).toBeUndefined();
  });
});

type Review = KubernetesObject & { status?: Record<string, unknown> };

describe('patchStatusIfChanged on the real apiserver', () => {
  it('writes only when the status changed, removes dropped keys, and detects conflicts', async () => {
    const client = new KubeClient(kubeConfig());
    await ensureWidgetCrd(client);
    const ns = await createNamespace('status');
    const created = await client.create<Review>(WIDGETS, ns, {
      apiVersion: `${WIDGETS.group}/${WIDGETS.version}`,
      kind: 'Widget',
      metadata: { name: 'r', namespace: ns },
      spec: { size: 1 },
    } as Review);
    const status = {
      phase: 'Pending',
      observedGeneration: 1,
      conditions: [{ ...ready('False'), type: 'Decided', lastTransitionTime: T0 }],
    };
    const written = await patchStatusIfChanged({ client, ref: WIDGETS, object: created, status });
    expect(written?.status).toMatchObject({ phase: 'Pending' });
    const writes = client.stats.writes;
    // Same status, newer timestamp: no write.
    const again = await patchStatusIfChanged({
      client,
      ref: WIDGETS,
      object: written as Review,
      status: { ...status, conditions: [{ ...ready('False'), type: 'Decided', lastTransitionTime: T1 }] },
    });
    expect(again).toBeUndefined();
    expect(client.stats.writes).toBe(writes);

    // A stale read conflicts; retryOnConflict re-reads and succeeds.
    await expect(
      patchStatusIfChanged({ client, ref: WIDGETS, object: created, status: { phase: 'Approved' } }),
    ).rejects.toSatisfy((error) => error instanceof KubeError && error.code === 'KUBE_CONFLICT');
    let attempts = 0;
    await retryOnConflict(async () => {
      attempts++;
      const object = attempts === 1 ? created : await client.get<Review>(WIDGETS, ns, 'r');
      return patchStatusIfChanged({ client, ref: WIDGETS, object, status: { phase: 'Approved' } });
    });
    expect(attempts).toBe(2);
    const final = await client.get<Review>(WIDGETS, ns, 'r');
    // Keys left out of the desired status are removed, not left behind by the merge patch.
    expect(final.status).toEqual({ phase: 'Approved' });
  });
});
