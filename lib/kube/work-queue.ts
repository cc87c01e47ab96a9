import { exponentialBackoff } from './backoff.ts';
import { type Clock, systemClock, type TimerHandle } from './clock.ts';
import { KubeError } from './errors.ts';
import { type KubeLogger, silentLogger } from './logger.ts';

/** What a handler may ask for after a successful run. */
export interface WorkResult {
  /** Run the key again after this many milliseconds (periodic checks, waiting on something external). */
  requeueAfterMs?: number;
}

/** What to do with a key whose handler threw; returned by {@link WorkQueueOptions.errorPolicy}. */
export type ErrorDecision =
  | { action: 'backoff' }
  | { action: 'requeue'; afterMs: number }
  /** A terminal error: forget the key until something adds it again. */
  | { action: 'drop' };

/** Runs one key. The signal aborts when the queue shuts down without draining. */
export type WorkHandler<K extends string> = (
  key: K,
  context: { signal: AbortSignal },
) => Promise<WorkResult | undefined> | Promise<void>;

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions<K extends string> {
  /** Runs one key; see {@link WorkHandler}. */
  handler: WorkHandler<K>;
  /** How many keys run at once. Default 1. */
  concurrency?: number;
  /** Per-key retry backoff. Default client-go's: 5 ms doubling up to 1000 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** Decides what a thrown error means. Default: back off and retry. */
  errorPolicy?: (key: K, error: unknown) => ErrorDecision;
  log?: KubeLogger;
  clock?: Clock;
}

/** Counters and gauges for metrics. */
export interface WorkQueueStats {
  /** Keys waiting to run now. */
  ready: number;
  /** Keys waiting for a delay (addAfter or backoff). */
  delayed: number;
  /** Keys running now. */
  processing: number;
  /** Runs finished, successful or not. */
  completed: number;
  /** Runs that threw. */
  failed: number;
  /** Keys re-queued with backoff. */
  retries: number;
  /** Keys newly queued (an add of a key already waiting is not counted). */
  adds: number;
}

/** What {@link WorkQueue.shutdown} hands back. */
export interface ShutdownResult<K extends string> {
  /** Keys that were running when the queue stopped without draining (their handlers saw the signal abort). */
  inFlight: K[];
  /** Keys that were waiting (ready or delayed) and will not run. */
  pending: K[];
}

/**
 * A controller work queue: a set of keys to reconcile, not a FIFO of events.
 *
 * Guarantees:
 * - A key is queued at most once however often it is added (de-duplication).
 * - A key never runs twice at once; adding it while it runs re-runs it once, after the current run.
 * - At most `concurrency` keys run at once; ready keys run in the order they were first added.
 * - A thrown error re-queues the key after a per-key exponential backoff (5 ms, 10 ms, … capped at
 *   1000 s) unless `errorPolicy` says otherwise; a successful run forgets the key's failures.
 * - `addAfter` keeps the earliest of several pending delays for a key.
 * - `shutdown(true)` stops taking work and resolves once running keys finish; `shutdown(false)` aborts
 *   their signals and resolves at once, handing the running keys back.
 *
 * Caveats: keys added after shutdown are ignored. A handler that ignores its signal keeps running after
 * `shutdown(false)`; it can no longer re-queue anything.
 *
 * @example
 * const queue = new WorkQueue<string>({ handler: (key) => reconcile(key), concurrency: 4 });
 * informer.on('update', (obj) => queue.add(objectKey(obj)));
 */
export class WorkQueue<K extends string> {
  private readonly handler: WorkHandler<K>;
  private readonly concurrency: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly errorPolicy: (key: K, error: unknown) => ErrorDecision;
  private readonly log: KubeLogger;
  private readonly clock: Clock;
  private readonly ready: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Map<K, Promise<void>>();
  private readonly delayed = new Map<K, { due: number; timer: TimerHandle }>();
  private readonly failures = new Map<K, number>();
  private readonly abort = new AbortController();
  private readonly idleWaiters = new Set<() => void>();
  private closed = false;
  private counters = { completed: 0, failed: 0, retries: 0, adds: 0 };

  constructor(options: WorkQueueOptions<K>) {
    this.handler = options.handler;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.backoff = options.backoff ?? { initialMs: 5, maxMs: 1000_000 };
    this.errorPolicy = options.errorPolicy ?? (() => ({ action: 'backoff' }));
    this.log = options.log ?? silentLogger;
    this.clock = options.clock ?? systemClock;
  }

  /** Queues `key` to run as soon as a worker is free (no-op when already queued). */
  add(key: K): void {
    if (this.closed || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.counters.adds++;
    if (!this.processing.has(key)) this.ready.push(key);
    this.pump();
  }

  /** Queues `key` after `ms` milliseconds; an earlier pending delay for the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.closed) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const due = this.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.due <= due) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimer(ms, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { due, timer });
  }

  /** Queues `key` after its backoff delay and counts one more failure for it. */
  addRateLimited(key: K): void {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    this.counters.retries++;
    this.addAfter(key, exponentialBackoff(failures, this.backoff));
  }

  /** Clears `key`'s failure count, so its next backoff starts from the initial delay. */
  forget(key: K): void {
    this.failures.delete(key);
  }

  /** How many times `key` has been re-queued with backoff since it last succeeded. */
  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys waiting to run now (the queue depth gauge). */
  length(): number {
    return this.ready.length;
  }

  /** Gauges and counters for metrics. */
  stats(): WorkQueueStats {
    return {
      ready: this.ready.length,
      delayed: this.delayed.size,
      processing: this.processing.size,
      ...this.counters,
    };
  }

  /** True after {@link WorkQueue.shutdown}. */
  isShuttingDown(): boolean {
    return this.closed;
  }

  /** Resolves when no key is ready or running (delayed keys may remain). */
  whenIdle(): Promise<void> {
    if (this.ready.length === 0 && this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /**
   * Stops taking work. With `drain`, waits for running keys to finish; without, aborts their signals and
   * returns at once. Either way, hands back the keys that will not run.
   */
  async shutdown(drain: boolean): Promise<ShutdownResult<K>> {
    const pending = new Set<K>(this.ready);
    for (const [key, entry] of this.delayed) {
      entry.timer.cancel();
      pending.add(key);
    }
    this.delayed.clear();
    this.ready.length = 0;
    this.closed = true;
    const inFlight = [...this.processing.keys()];
    if (drain) {
      await Promise.all(this.processing.values());
      return { inFlight: [], pending: [...pending] };
    }
    this.abort.abort(new KubeError('KUBE_QUEUE_SHUT_DOWN', 'The work queue is shutting down'));
    return { inFlight, pending: [...pending] };
  }

  private pump(): void {
    while (!this.closed && this.processing.size < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift() as K;
      this.dirty.delete(key);
      this.processing.set(key, this.run(key));
    }
    if (this.ready.length === 0 && this.processing.size === 0) {
      for (const resolve of this.idleWaiters) resolve();
      this.idleWaiters.clear();
    }
  }

  private async run(key: K): Promise<void> {
    // Yield once so that `processing` holds this run before the handler can re-add its own key.
    await Promise.resolve();
    try {
      const result = (await this.handler(key, { signal: this.abort.signal })) as WorkResult | undefined;
      this.forget(key);
      if (result?.requeueAfterMs !== undefined && !this.closed) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      this.counters.failed++;
      this.onError(key, error);
    } finally {
      this.counters.completed++;
      this.processing.delete(key);
      if (this.dirty.has(key) && !this.closed) this.ready.push(key);
      this.pump();
    }
  }

  private onError(key: K, error: unknown): void {
    if (this.closed) return;
    let decision: ErrorDecision;
    try {
      decision = this.errorPolicy(key, error);
    } catch (policyError) {
      this.log.error({ key, err: String(policyError) }, 'Work queue error policy failed; backing off');
      decision = { action: 'backoff' };
    }
    if (decision.action === 'drop') {
      this.forget(key);
      this.log.warn({ key, err: String(error) }, 'Dropped key after terminal error');
    } else if (decision.action === 'requeue') {
      this.addAfter(key, decision.afterMs);
    } else {
      this.addRateLimited(key);
      this.log.debug(
        { key, err: String(error), failures: this.numRequeues(key) },
        'Re-queued key with backoff',
      );
    }
  }
}
