import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeClient, type ResourceRef } from './client.ts';
import { type Clock, systemClock, type TimerHandle } from './clock.ts';
import { isAlreadyExists, isConflict, isNotFound } from './errors.ts';
import type { KubeCredentials } from './kube-credentials.ts';
import { type KubeLogger, silentLogger } from './logger.ts';

/** coordination.k8s.io/v1 Leases. */
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

/** The fields of a Lease that leader election reads and writes. */
export interface Lease extends KubernetesObject {
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** Options of {@link createLeaderElector}. */
export interface LeaderElectorOptions {
  kubeConfig: KubeCredentials;
  /** A client to share instead of building one from `kubeConfig`. */
  client?: KubeClient;
  /** Namespace and name of the Lease. */
  namespace: string;
  name: string;
  /** This candidate's identity (pod name, or host + pid); unique among candidates. */
  identity: string;
  /** How long a lease holds without renewal before others may take it. Default 15 s. */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up leading. Default 10 s. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /** Called on becoming leader; the signal aborts when leadership ends. */
  onStartedLeading: (signal: AbortSignal) => void;
  /** Called when leadership ends: lost, released on stop, or renewal past the deadline. */
  onStoppedLeading: () => void;
  /** Called whenever the observed leader changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  log?: KubeLogger;
  clock?: Clock;
}

/** A running candidate. See {@link createLeaderElector}. */
export interface LeaderElector {
  /** Starts competing for the lease. */
  start(): void;
  /**
   * Stops competing. With `release` (the default), a leader clears `holderIdentity` so another candidate
   * takes over at once instead of after the lease duration.
   */
  stop(options?: { release?: boolean }): Promise<void>;
  /** True while this candidate holds the lease. */
  isLeader(): boolean;
  /** The last observed holder, or `undefined`. */
  leader(): string | undefined;
}

/** Formats a time the way Lease's MicroTime fields need it (RFC 3339 with microseconds). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's algorithm.
 *
 * Guarantees:
 * - Every `retryPeriodMs` a candidate tries to create the Lease, renew it, or take it over; each write
 *   carries the resourceVersion it read, so two candidates can never both win one round.
 * - A held lease is taken over only after its record stayed unchanged for `leaseDurationMs`, measured on
 *   this candidate's own clock from when it observed the change (so clock skew between nodes is harmless).
 * - A leader that cannot renew for `renewDeadlineMs` stops leading (and its signal aborts) before the
 *   lease could be taken over, as long as `renewDeadlineMs < leaseDurationMs`.
 * - `stop()` releases the lease by clearing `holderIdentity`.
 *
 * Assumptions: `renewDeadlineMs < leaseDurationMs`, and the work done while leading stops promptly when
 * the signal aborts; nothing else fences a deposed leader's writes.
 *
 * Caveats: `onStartedLeading` runs again if leadership is lost and regained.
 */
export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const client = options.client ?? new KubeClient(options.kubeConfig);
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  if (renewDeadlineMs >= leaseDurationMs) {
    throw new RangeError(
      `renewDeadlineMs (${renewDeadlineMs}) must be shorter than leaseDurationMs (${leaseDurationMs}), or two leaders could overlap.`,
    );
  }
  const fields = {
    kind: 'Lease',
    namespace: options.namespace,
    name: options.name,
    identity: options.identity,
  };

  let running = false;
  let leading = false;
  let leadership: AbortController | undefined;
  let observedRecord = '';
  let observedAt = 0;
  let observedHolder: string | undefined;
  let lastRenew = 0;
  let timer: TimerHandle | undefined;
  let watchdog: TimerHandle | undefined;
  let cycle: Promise<void> = Promise.resolve();

  function observe(lease: Lease): void {
    const spec = lease.spec ?? {};
    const record = JSON.stringify([
      spec.holderIdentity,
      spec.renewTime,
      spec.acquireTime,
      spec.leaseTransitions,
    ]);
    if (record !== observedRecord) {
      observedRecord = record;
      observedAt = clock.now();
    }
    const holder = spec.holderIdentity || undefined;
    if (holder !== observedHolder) {
      observedHolder = holder;
      if (holder) options.onNewLeader?.(holder);
    }
  }

  function becomeLeader(): void {
    if (leading) return;
    leading = true;
    leadership = new AbortController();
    log.info(fields, 'Became leader');
    options.onStartedLeading(leadership.signal);
  }

  function stopLeading(): void {
    if (!leading) return;
    leading = false;
    leadership?.abort();
    log.info(fields, 'Stopped leading');
    options.onStoppedLeading();
  }

  /** One acquire-or-renew attempt; true when this candidate holds the lease afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = clock.now();
    const desired = (previous: Lease['spec'] = {}) => {
      const isSameHolder = previous.holderIdentity === options.identity;
      return {
        holderIdentity: options.identity,
        leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
        acquireTime: isSameHolder && previous.acquireTime ? previous.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions:
          (previous.leaseTransitions ?? 0) + (isSameHolder || !previous.holderIdentity ? 0 : 1),
      };
    };
    let current: Lease | undefined;
    try {
      current = await client.get<Lease>(LEASES, options.namespace, options.name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!current) {
      try {
        const created = await client.create<Lease>(LEASES, options.namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: options.name, namespace: options.namespace },
          spec: desired(),
        });
        observe(created);
        return true;
      } catch (error) {
        if (isAlreadyExists(error)) return false;
        throw error;
      }
    }
    observe(current);
    const holder = current.spec?.holderIdentity;
    const heldByOther = holder && holder !== options.identity;
    const durationMs = (current.spec?.leaseDurationSeconds ?? 0) * 1000;
    if (heldByOther && observedAt + durationMs > now) return false;
    try {
      const updated = await client.replace<Lease>(LEASES, options.namespace, options.name, {
        ...current,
        spec: desired(current.spec),
      });
      observe(updated);
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  async function round(): Promise<void> {
    try {
      const held = await tryAcquireOrRenew();
      if (!running) return;
      if (held) {
        lastRenew = clock.now();
        becomeLeader();
      } else if (leading) {
        stopLeading();
      }
    } catch (error) {
      log.warn({ ...fields, err: String(error) }, 'Lease acquire or renew failed');
    }
    if (leading && clock.now() - lastRenew > renewDeadlineMs) {
      log.warn(fields, 'Lease renewal deadline passed');
      stopLeading();
    }
  }

  /** Checks the renew deadline on its own timer, so a request that hangs cannot keep a stale leader leading. */
  function scheduleWatchdog(): void {
    if (!running) return;
    watchdog = clock.setTimer(retryPeriodMs, () => {
      if (leading && clock.now() - lastRenew > renewDeadlineMs) {
        log.warn(fields, 'Lease renewal deadline passed');
        stopLeading();
      }
      scheduleWatchdog();
    });
  }

  function schedule(): void {
    if (!running) return;
    timer = clock.setTimer(retryPeriodMs, () => {
      cycle = round().then(schedule);
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      cycle = round().then(schedule);
      scheduleWatchdog();
    },
    async stop({ release = true } = {}) {
      running = false;
      timer?.cancel();
      watchdog?.cancel();
      await cycle;
      if (leading && release) {
        try {
          const current = await client.get<Lease>(LEASES, options.namespace, options.name);
          if (current.spec?.holderIdentity === options.identity) {
            await client.replace<Lease>(LEASES, options.namespace, options.name, {
              ...current,
              spec: {
                ...current.spec,
                holderIdentity: null,
                leaseDurationSeconds: 1,
                renewTime: microTime(clock.now()),
              },
            });
            log.info(fields, 'Released Lease');
          }
        } catch (error) {
          log.warn(
            { ...fields, err: String(error) },
            'Lease release failed; others take over when it expires',
          );
        }
      }
      stopLeading();
    },
    isLeader: () => leading,
    leader: () => observedHolder,
  };
}
