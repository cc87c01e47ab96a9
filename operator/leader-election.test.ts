import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../controllers/resources.ts';
import type { OperatorHandle } from './operator.ts';
import { createTestBed, submissionManifest, type TestBed, waitFor } from './test-support/fixture.ts';
import { flow } from './test-support/flow.ts';

type Lease = {
  spec: {
    holderIdentity?: string | null;
    renewTime?: string;
    acquireTime?: string;
    leaseTransitions?: number;
  };
};

describe('two replicas', () => {
  let bed: TestBed;
  const replicas: OperatorHandle[] = [];
  beforeAll(async () => {
    bed = await createTestBed('op-leader');
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.stop(0);
  });

  it('lets only the leader write and hands over when the leader dies', async () => {
    const election = {
      enabled: true,
      leaseName: 'shazam-operator',
      leaseNamespace: bed.namespace,
      leaseDurationSeconds: 3,
      renewDeadlineSeconds: 2,
      retryPeriodSeconds: 1,
    };
    const a = await bed.start({ leaderElection: { ...election, identity: 'replica-a' } });
    replicas.push(a);
    await waitFor('replica-a to lead', async () => a.isLeader());
    const b = await bed.start({ leaderElection: { ...election, identity: 'replica-b' } });
    replicas.push(b);
    await b.synced;

    const f = flow(bed, 'stool');
    await f.create(submissionManifest(bed, 'stool', 'B0LEADER01', 1));
    await f.validationJob();
    await f.phase('Validating');
    expect(b.isLeader()).toBe(false);
    expect(b.kube.stats.writes).toBe(0);
    expect(a.kube.stats.writes).toBeGreaterThan(0);

    // The leader dies without releasing its Lease.
    const held = await bed.kube.get<Lease & { metadata: object }>(
      RESOURCES.lease,
      bed.namespace,
      'shazam-operator',
    );
    await a.stop(0, { releaseLease: false });
    await waitFor('replica-b to lead', async () => b.isLeader(), 15_000);
    const taken = await bed.kube.get<Lease & { metadata: object }>(
      RESOURCES.lease,
      bed.namespace,
      'shazam-operator',
    );
    expect(taken.spec.holderIdentity).toBe('replica-b');
    expect(taken.spec.leaseTransitions).toBe((held.spec.leaseTransitions ?? 0) + 1);
    // Taken over once the old holder's last renewal was a lease duration old, within one retry period.
    const gap = Date.parse(taken.spec.acquireTime!) - Date.parse(held.spec.renewTime!);
    expect(gap).toBeGreaterThanOrEqual(3000 - 1000);
    expect(gap).toBeLessThanOrEqual(3000 + 2 * 1000 + 1000);

    // The new leader carries on.
    await f.completeValidation('Passed');
    await f.phase('Rendering');
    expect(b.kube.stats.writes).toBeGreaterThan(0);

    // A graceful stop releases the Lease.
    await b.stop();
    const released = await bed.kube.get<Lease & { metadata: object }>(
      RESOURCES.lease,
      bed.namespace,
      'shazam-operator',
    );
    expect(released.spec.holderIdentity ?? null).toBeNull();
  });
});
