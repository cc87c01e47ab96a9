/**
 * Event correlation as client-go's `EventCorrelator` does it (k8s.io/client-go/tools/record), pure and
 * clock-driven, so a reconcile loop that reports the same thing again bumps one Event's `count` instead of
 * writing a new object each time:
 *
 * - **Aggregation**: events alike but for their message (same object, type, reason, component) are counted
 *   within `aggregateWindowMs`; from the `aggregateThreshold`-th on they become one Event whose message is
 *   `(combined from similar events): <latest message>`.
 * - **Deduplication**: an event equal to one already written (message included) is a patch of that Event:
 *   `count` + 1 and a new `lastTimestamp`, same name.
 * - **Spam filter**: a token bucket per object (`burst`, then one event per `refillMs`) drops the rest.
 */

/** An event about to be recorded. */
export interface EventInput {
  involvedObject: { apiVersion: string; kind: string; name: string; namespace: string; uid?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: string;
}

/** What to do with an event. */
export type Correlation =
  | { action: 'create'; key: string; message: string; count: number }
  | { action: 'patch'; key: string; name: string; message: string; count: number; firstTimestamp: string }
  | { action: 'drop' };

/** Tunables; client-go's defaults. */
export interface CorrelatorOptions {
  aggregateWindowMs: number;
  aggregateThreshold: number;
  burst: number;
  refillMs: number;
  /** Most keys remembered per cache (least recently used forgotten first). */
  cacheSize: number;
}

export const CLIENT_GO_CORRELATOR_DEFAULTS: CorrelatorOptions = {
  aggregateWindowMs: 10 * 60_000,
  aggregateThreshold: 10,
  burst: 25,
  refillMs: 5 * 60_000,
  cacheSize: 4096,
};

/** The prefix client-go gives an aggregated Event's message. */
export const AGGREGATED_PREFIX = '(combined from similar events): ';

interface Written {
  name: string;
  count: number;
  firstTimestamp: string;
}

/** A Map kept to `size` entries, least recently used first out. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.size) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

function objectKey(event: EventInput): string {
  const o = event.involvedObject;
  return JSON.stringify([o.apiVersion, o.kind, o.namespace, o.name, o.uid ?? '']);
}

/**
 * Decides, for each event, whether to create an Event, patch an earlier one or drop it.
 *
 * @example
 * ```ts
 * const correlator = new EventCorrelator();
 * const first = correlator.correlate(event, Date.now()); // { action: 'create', count: 1, ... }
 * correlator.written(first.key, 'obj.17f3a', first.count, timestamp);
 * correlator.correlate(event, Date.now()); // { action: 'patch', name: 'obj.17f3a', count: 2, ... }
 * ```
 */
export class EventCorrelator {
  private readonly options: CorrelatorOptions;
  private readonly similar: Lru<{ messages: Set<string>; since: number }>;
  private readonly written_: Lru<Written>;
  private readonly buckets: Lru<{ tokens: number; at: number }>;

  constructor(options: Partial<CorrelatorOptions> = {}) {
    this.options = { ...CLIENT_GO_CORRELATOR_DEFAULTS, ...options };
    this.similar = new Lru(this.options.cacheSize);
    this.written_ = new Lru(this.options.cacheSize);
    this.buckets = new Lru(this.options.cacheSize);
  }

  /** The decision for `event` at time `now` (ms since the epoch). */
  correlate(event: EventInput, now: number): Correlation {
    if (!this.allow(event, now)) return { action: 'drop' };
    const { type, reason, component } = event;
    const similarKey = JSON.stringify([objectKey(event), type, reason, component]);
    let group = this.similar.get(similarKey);
    if (!group || now - group.since > this.options.aggregateWindowMs) {
      group = { messages: new Set(), since: now };
    }
    group.messages.add(event.message);
    this.similar.set(similarKey, group);
    const aggregated = group.messages.size >= this.options.aggregateThreshold;
    const message = aggregated ? `${AGGREGATED_PREFIX}${event.message}` : event.message;
    const key = aggregated ? `${similarKey}#aggregate` : JSON.stringify([similarKey, event.message]);
    const earlier = this.written_.get(key);
    if (earlier) {
      return {
        action: 'patch',
        key,
        name: earlier.name,
        message,
        count: earlier.count + 1,
        firstTimestamp: earlier.firstTimestamp,
      };
    }
    return { action: 'create', key, message, count: 1 };
  }

  /** Remembers the Event written for `key` (after a successful create or patch). */
  written(key: string, name: string, count: number, firstTimestamp: string): void {
    this.written_.set(key, { name, count, firstTimestamp });
  }

  /** Forgets the Event of `key` (it is gone from the apiserver, e.g. expired): the next one is created. */
  forget(key: string): void {
    this.written_.delete(key);
  }

  private allow(event: EventInput, now: number): boolean {
    const key = objectKey(event);
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
    const added = Math.floor((now - bucket.at) / this.options.refillMs);
    const refilled = Math.min(this.options.burst, bucket.tokens + added);
    const at = refilled >= this.options.burst ? now : bucket.at + added * this.options.refillMs;
    if (refilled < 1) {
      this.buckets.set(key, { tokens: refilled, at });
      return false;
    }
    this.buckets.set(key, { tokens: refilled - 1, at });
    return true;
  }
}
