import { afterEach, describe, expect, it } from 'vitest';
import { createNamespace, kubeConfig } from '../../test/harness/index.ts';
import { KubeClient } from './client.ts';
import { createLeaderElector, LEASES, type LeaderElector, type Lease } from './leader-election.ts';
import { waitFor } from './test-support.ts';

const electors: LeaderElector[] = [];
afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop({ release: false })));
});

/** A candidate that records its leadership transitions. */
function candidate(namespace: string, identity: string) {
  const events: string[] = [];
  let signal: AbortSignal | undefined;
  const elector = createLeaderElector({
    kubeConfig: kubeConfig(),
    namespace,
    name: 'operator-lock',
    identity,
    leaseDurationMs: 3000,
    renewDeadlineMs: 2000,
    retryPeriodMs: 250,
    onStartedLeading: (s) => {
      signal = s;
      events.push('started');
    },
    onStoppedLeading: () => events.push('stopped'),
  });
  electors.push(elector);
  return { elector, events, signal: () => signal };
}

describe('leader election on a Lease', () => {
  it('elects one of two candidates and hands over at once when the leader stops and releases', async () => {
    const ns = await createNamespace('lease');
    const a = candidate(ns, 'replica-a');
    const b = candidate(ns, 'replica-b');
    a.elector.start();
    await waitFor('a leader', () => a.elector.isLeader());
    b.elector.start();
    await waitFor('b to observe the leader', () => b.elector.leader() === 'replica-a');
    expect(b.elector.isLeader()).toBe(false);
    expect(b.events).toEqual([]);

    await a.elector.stop();
    expect(a.events).toEqual(['started', 'stopped']);
    expect(a.signal()?.aborted).toBe(true);
    const lease = await new KubeClient(kubeConfig()).get<Lease>(LEASES, ns, 'operator-lock');
    // Released, or already taken by b in the meantime; never still held by a.
    expect(lease.spec?.holderIdentity ?? '').not.toBe('replica-a');
    await waitFor('b to take over', () => b.elector.isLeader());
    expect(b.events).toEqual(['started']);
  });

  it('takes over from a leader that died (stopped renewing) only after the lease expired', async () => {
    const ns = await createNamespace('lease-kill');
    const a = candidate(ns, 'replica-a');
    const b = candidate(ns, 'replica-b');
    a.elector.start();
    await waitFor('a to lead', () => a.elector.isLeader());
    b.elector.start();
    await waitFor('b to observe a', () => b.elector.leader() === 'replica-a');
    // Dies without releasing: the lease still names it until it expires.
    await a.elector.stop({ release: false });
    const client = new KubeClient(kubeConfig());
    const held = await client.get<Lease>(LEASES, ns, 'operator-lock');
    expect(held.spec?.holderIdentity).toBe('replica-a');
    const killedAt = Date.now();
    await waitFor('b to take over', () => b.elector.isLeader(), 30_000);
    const tookOver = await client.get<Lease>(LEASES, ns, 'operator-lock');
    expect(tookOver.spec?.holderIdentity).toBe('replica-b');
    expect(tookOver.spec?.leaseTransitions).toBe(1);
    // A correctness bound, not a speed check: b may not take a lease that has not run out (3 s from the last
    // renewal b observed, at most one retry period before the kill).
    expect(Date.now() - killedAt).toBeGreaterThan(1000);
  });

  it('refuses a renew deadline that is not shorter than the lease duration', () => {
    expect(() =>
      createLeaderElector({
        kubeConfig: kubeConfig(),
        namespace: 'x',
        name: 'y',
        identity: 'z',
        leaseDurationMs: 1000,
        renewDeadlineMs: 1000,
        onStartedLeading: () => {},
        onStoppedLeading: () => {},
      }),
    ).toThrow(/must be shorter/);
  });
});
