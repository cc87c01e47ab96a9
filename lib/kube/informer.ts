import { exponentialBackoff } from './backoff.ts';
import type { CacheTransform } from './cache-transform.ts';
import { KubeClient, type ResourceRef, resourcePath, type WatchEvent } from './client.ts';
import { type Clock, systemClock, type TimerHandle } from './clock.ts';
import { isGone } from './errors.ts';
import type { KubeCredentials } from './kube-credentials.ts';
import { type KubeLogger, silentLogger } from './logger.ts';
import type { KubeObject } from './object.ts';

/**
 * Page size of an informer's lists. Small on purpose: a page is held three times at once (the response text,
 * the parsed objects with their `managedFields`, the transformed copies) and most of it is garbage the
 * moment the page is cached. At 10,000 submissions with their Jobs, pages of 100 instead of 500 took a
 * standby operator's peak RSS from 236 to 168 MiB with the same time to ready (docs/operator.md).
 */
export const DEFAULT_PAGE_SIZE = 100;

/** Options of {@link createInformer}. */
export interface InformerOptions<T = KubeObject> extends ResourceRef {
  /** Credentials; a {@link KubeClient} is built from it unless `client` is given. */
  kubeConfig: KubeCredentials;
  /** A client to share (its request counters then include the informer's). */
  client?: KubeClient;
  /** Namespaces to watch, one list/watch each; empty or unset watches all namespaces with one. */
  namespaces?: string[];
  /** Label selector applied server-side to list and watch. */
  labelSelector?: string;
  /** Field selector applied server-side to list and watch. */
  fieldSelector?: string;
  /** Every `resyncMs`, re-emit `update` for every cached object (0 or unset: never). */
  resyncMs?: number;
  /** Page size of the initial and recovery lists. Default {@link DEFAULT_PAGE_SIZE}. */
  pageSize?: number;
  /** Server-side watch timeout range in seconds; each watch picks a random value in it. Default [300, 600]. */
  watchTimeoutSeconds?: [number, number];
  /** First and largest delay between recovery attempts after an error. Default 800 ms to 30 s. */
  retryBackoff?: { initialMs: number; maxMs: number };
  /**
   * Applied to every listed and watched object before it is cached or handed to a handler (see
   * `cache-transform.ts`): drop what nobody reads. It must keep `metadata.name`, `namespace` and
   * `resourceVersion`. Default: keep everything.
   */
  transform?: CacheTransform<T>;
  log?: KubeLogger;
  clock?: Clock;
}

/** Event handlers an {@link Informer} calls. */
export interface InformerHandlers<T> {
  add: (object: T) => void;
  update: (object: T, old: T) => void;
  delete: (object: T) => void;
  /** After a periodic resync re-emitted every object. */
  resync: () => void;
  /** A list or watch failed; the informer retries on its own. */
  error: (error: unknown) => void;
}

/** A cache of one resource type kept current by list + watch. See {@link createInformer}. */
export interface Informer<T extends KubeObject> {
  /** Starts listing and watching; resolves once every namespace's first list is cached. */
  start(): Promise<void>;
  /** Stops every watch and timer. The cache keeps its last content. */
  stop(): void;
  /** Cached objects, of one namespace or of all. */
  list(namespace?: string): T[];
  /** One cached object, or `undefined`. Pass `undefined` as namespace for cluster-scoped objects. */
  get(namespace: string | undefined, name: string): T | undefined;
  /** True once every namespace's first list is cached. */
  hasSynced(): boolean;
  /** Registers a handler; returns a function that removes it. */
  on<E extends keyof InformerHandlers<T>>(event: E, handler: InformerHandlers<T>[E]): () => void;
}

/** The cache key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(object: KubeObject): string {
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? '';
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * Creates an informer: a local cache of one resource type (core or custom, group `''` = core), kept
 * current by list + watch, with add/update/delete events.
 *
 * Guarantees:
 * - Each namespace (or all namespaces) is listed, then watched from the list's resourceVersion with
 *   bookmarks, so no change between list and watch is missed.
 * - A 410 Gone re-lists at once; any other list or watch failure (apiserver restarting, network) is
 *   reported on `error` and retried with capped exponential backoff, forever, until `stop()`.
 * - A re-list replaces the namespace's cache in one step: objects that still exist are never removed, even
 *   for a moment; `delete` is emitted only for objects truly gone, `update` only for changed ones.
 * - `resyncMs` re-emits `update(obj, obj)` for every cached object, then `resync`.
 *
 * Assumptions: handlers are quick and synchronous (enqueue a key, do not reconcile inline); a throwing
 * handler is logged and does not stop the informer.
 *
 * Caveats: cached objects are shared: treat them as read-only and copy before editing. After `stop()`
 * the cache is frozen, not cleared. `start()` never rejects: while the apiserver is unreachable or RBAC
 * forbids the list it keeps retrying and reports each failure on `error`, so bound the wait yourself.
 *
 * @example
 * const jobs = createInformer<V1Job>({ kubeConfig, group: 'batch', version: 'v1', plural: 'jobs' });
 * jobs.on('add', (job) => queue.add(objectKey(job)));
 * await jobs.start();
 */
export function createInformer<T extends KubeObject>(options: InformerOptions<T>): Informer<T> {
  const client = options.client ?? new KubeClient(options.kubeConfig);
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const ref: ResourceRef = { group: options.group, version: options.version, plural: options.plural };
  const kind = options.plural;
  const transform: CacheTransform<T> = options.transform ?? ((object) => object);
  const scopes = (options.namespaces ?? []).filter((n) => n !== '');
  const scopeNames = scopes.length > 0 ? [...new Set(scopes)] : [undefined];
  const caches = new Map<string | undefined, Map<string, T>>(scopeNames.map((scope) => [scope, new Map()]));
  const synced = new Set<string | undefined>();
  const handlers: { [E in keyof InformerHandlers<T>]: Set<InformerHandlers<T>[E]> } = {
    add: new Set(),
    update: new Set(),
    delete: new Set(),
    resync: new Set(),
    error: new Set(),
  };
  let running = false;
  let abort = new AbortController();
  let resyncTimer: TimerHandle | undefined;
  const sleeps = new Set<{ timer: TimerHandle; resolve: () => void }>();
  let resolveSynced: (() => void) | undefined;
  const syncedPromise = new Promise<void>((resolve) => {
    resolveSynced = resolve;
  });

  function emit<E extends keyof InformerHandlers<T>>(
    event: E,
    ...args: Parameters<InformerHandlers<T>[E]>
  ): void {
    for (const handler of handlers[event]) {
      try {
        (handler as (...a: unknown[]) => void)(...args);
      } catch (error) {
        log.error({ kind, event, err: error }, 'Informer handler failed');
      }
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: clock.setTimer(ms, () => {
          sleeps.delete(entry);
          resolve();
        }),
        resolve,
      };
      sleeps.add(entry);
    });
  }

  /** Lists every page and swaps the scope's cache in one step; returns the list's resourceVersion. */
  async function relist(scope: string | undefined): Promise<string> {
    const fresh = new Map<string, T>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await client.list<T>(ref, {
        namespace: scope,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.pageSize ?? DEFAULT_PAGE_SIZE,
        continue: continueToken,
      });
      for (const item of page.items) fresh.set(objectKey(item), transform(item));
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion ?? '';
    } while (continueToken);
    if (!running) return resourceVersion;
    const cache = caches.get(scope) ?? new Map<string, T>();
    const previous = new Map(cache);
    cache.clear();
    for (const [key, object] of fresh) cache.set(key, object);
    caches.set(scope, cache);
    for (const [key, object] of fresh) {
      const old = previous.get(key);
      if (!old) emit('add', object);
      else if (old.metadata?.resourceVersion !== object.metadata?.resourceVersion)
        emit('update', object, old);
    }
    for (const [key, old] of previous) if (!fresh.has(key)) emit('delete', old);
    log.debug({ kind, namespace: scope ?? '(all)', count: fresh.size, resourceVersion }, 'Listed objects');
    return resourceVersion;
  }

  function apply(scope: string | undefined, event: WatchEvent<T>): string | undefined {
    const cache = caches.get(scope);
    if (!cache) return undefined;
    if (event.type === 'BOOKMARK') return event.object.metadata?.resourceVersion;
    const object = transform(event.object);
    const resourceVersion = object.metadata?.resourceVersion;
    const key = objectKey(object);
    const old = cache.get(key);
    if (event.type === 'DELETED') {
      cache.delete(key);
      emit('delete', object);
    } else if (event.type === 'ADDED' || event.type === 'MODIFIED') {
      cache.set(key, object);
      if (!old) emit('add', object);
      else if (old.metadata?.resourceVersion !== resourceVersion) emit('update', object, old);
    }
    return resourceVersion;
  }

  async function reflect(scope: string | undefined): Promise<void> {
    const backoff = options.retryBackoff ?? { initialMs: 800, maxMs: 30_000 };
    const [minTimeout, maxTimeout] = options.watchTimeoutSeconds ?? [300, 600];
    let failures = 0;
    while (running) {
      try {
        let resourceVersion = await relist(scope);
        if (!running) return;
        if (!synced.has(scope)) {
          synced.add(scope);
          if (synced.size === caches.size) resolveSynced?.();
        }
        failures = 0;
        while (running) {
          const timeoutSeconds = Math.round(minTimeout + Math.random() * (maxTimeout - minTimeout));
          await client.watch<T>(
            resourcePath(ref, scope),
            {
              resourceVersion,
              allowWatchBookmarks: true,
              timeoutSeconds,
              labelSelector: options.labelSelector,
              fieldSelector: options.fieldSelector,
            },
            (event) => {
              const next = apply(scope, event);
              if (next) resourceVersion = next;
            },
            { signal: abort.signal, idleTimeoutMs: (timeoutSeconds + 60) * 1000 },
          );
          // A clean end is the server-side timeout: watch again from where we are.
        }
      } catch (error) {
        if (!running) return;
        if (isGone(error)) {
          log.info({ kind, namespace: scope ?? '(all)' }, 'Watch expired, re-listing');
          continue;
        }
        failures++;
        const delay = exponentialBackoff(failures, { ...backoff, jitter: 0.2 });
        log.warn(
          { kind, namespace: scope ?? '(all)', err: String(error), retryInMs: Math.round(delay) },
          'List/watch failed',
        );
        emit('error', error);
        await sleep(delay);
      }
    }
  }

  function scheduleResync(): void {
    const every = options.resyncMs ?? 0;
    if (every <= 0 || !running) return;
    resyncTimer = clock.setTimer(every, () => {
      if (!running) return;
      for (const cache of caches.values())
        for (const object of cache.values()) emit('update', object, object);
      emit('resync');
      scheduleResync();
    });
  }

  return {
    start() {
      if (!running) {
        running = true;
        abort = new AbortController();
        for (const scope of scopeNames) void reflect(scope);
        scheduleResync();
      }
      return syncedPromise;
    },
    stop() {
      running = false;
      abort.abort();
      resyncTimer?.cancel();
      for (const entry of sleeps) {
        entry.timer.cancel();
        entry.resolve();
      }
      sleeps.clear();
    },
    list(namespace) {
      const out: T[] = [];
      for (const [scope, cache] of caches) {
        if (namespace !== undefined && scope !== undefined && scope !== namespace) continue;
        for (const object of cache.values()) {
          if (namespace === undefined || object.metadata?.namespace === namespace) out.push(object);
        }
      }
      return out;
    },
    get(namespace, name) {
      const key = namespace ? `${namespace}/${name}` : name;
      const cache = caches.get(namespace) ?? caches.get(undefined);
      return cache?.get(key);
    },
    hasSynced() {
      return synced.size === caches.size;
    },
    on(event, handler) {
      handlers[event].add(handler);
      return () => {
        handlers[event].delete(handler);
      };
    },
  };
}
