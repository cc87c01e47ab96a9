/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it: the leader renews the Lease
 * every retry period; a candidate takes it over once it has not been renewed for the lease duration; a
 * leader that cannot renew within the renew deadline steps down. Released on shutdown so a standby takes
 * over at once instead of waiting for expiry.
 */
import { RESOURCES } from '../controllers/resources.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import type { Clock, TimerHandle } from '../lib/kube/clock.ts';
import { isConflict, isNotFound } from '../lib/kube/errors.ts';
import type { KubeLogger } from '../lib/kube/logger.ts';

/** Options of {@link LeaderElector}. */
export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  clock: Clock;
  log: KubeLogger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** MicroTime as the apiserver writes it (six fractional digits). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Decides whether `identity` may take `lease` at `nowMs`: free (no holder), held by itself, or expired.
 * Pure, for table tests.
 */
export function canAcquire(lease: Lease['spec'] | undefined, identity: string, nowMs: number): boolean {
  if (!lease?.holderIdentity) return true;
  if (lease.holderIdentity === identity) return true;
  const renewed = Date.parse(lease.renewTime ?? lease.acquireTime ?? '');
  if (Number.isNaN(renewed)) return true;
  return renewed + (lease.leaseDurationSeconds ?? 15) * 1000 < nowMs;
}

/** Runs the election loop; see the module comment. */
export class LeaderElector {
  private readonly options: LeaderElectionOptions;
  private leading = false;
  private stopped = false;
  private timer: TimerHandle | undefined;
  private lastRenew = 0;
  private running: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
  }

  /** True while this replica holds the Lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /** Starts trying to acquire, then renewing, the Lease. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Stops the loop; a leader releases the Lease (unless `release` is false) so a standby takes over without
   * waiting for expiry.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
    if (this.leading) {
      this.leading = false;
      if (options.release === false) {
        this.options.onStoppedLeading();
        return;
      }
      await this.release().catch((error) =>
        this.options.log.warn({ kind: 'Lease', name: this.options.name, err: String(error) }, 'Lease release failed'),
      );
      this.options.onStoppedLeading();
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimer(ms, () => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule(this.options.retryPeriodSeconds * 1000);
      });
    });
  }

  private async tick(): Promise<void> {
    const { log, name, namespace, identity } = this.options;
    const now = this.options.clock.now();
    try {
      const acquired = await this.tryAcquireOrRenew(now);
      if (this.stopped) return;
      if (acquired) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          log.info({ kind: 'Lease', namespace, name, identity }, 'Became leader');
          this.options.onStartedLeading();
        }
        return;
      }
      if (this.leading) this.stepDown('another replica holds the Lease');
    } catch (error) {
      log.warn({ kind: 'Lease', namespace, name, err: String(error) }, 'Lease update failed');
      if (this.leading && now - this.lastRenew > this.options.renewDeadlineSeconds * 1000) {
        this.stepDown('could not renew within the renew deadline');
      }
    }
  }

  private stepDown(why: string): void {
    this.leading = false;
    this.options.log.warn({ kind: 'Lease', name: this.options.name, identity: this.options.identity, why }, 'Lost leadership');
    this.options.onStoppedLeading();
  }

  private async tryAcquireOrRenew(now: number): Promise<boolean> {
    const { client, namespace, name, identity, leaseDurationSeconds } = this.options;
    const existing = await client.getOrUndefined<Lease>(RESOURCES.lease, namespace, name);
    if (!existing) {
      try {
        await client.create<Lease>(RESOURCES.lease, namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        });
        return true;
      } catch (error) {
        if (isConflict(error)) return false;
        throw error;
      }
    }
    if (!canAcquire(existing.spec, identity, now)) return false;
    const takingOver = existing.spec.holderIdentity !== identity;
    const spec: Lease['spec'] = {
      ...existing.spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: microTime(now),
    };
    if (takingOver) {
      spec.acquireTime = microTime(now);
      spec.leaseTransitions = (existing.spec.leaseTransitions ?? 0) + 1;
    }
    try {
      await client.replace<Lease>(RESOURCES.lease, namespace, name, { ...existing, spec });
      return true;
    } catch (error) {
      if (isConflict(error) || isNotFound(error)) return false;
      throw error;
    }
  }

  private async release(): Promise<void> {
    const { client, namespace, name, identity } = this.options;
    const existing = await client.getOrUndefined<Lease>(RESOURCES.lease, namespace, name);
    if (!existing || existing.spec.holderIdentity !== identity) return;
    await client.replace<Lease>(RESOURCES.lease, namespace, name, {
      ...existing,
      spec: { ...existing.spec, holderIdentity: null, renewTime: null, acquireTime: null },
    });
  }
}
