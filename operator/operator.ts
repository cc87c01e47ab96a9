/**
 * The operator process as a function: {@link startOperator} wires clients, informers, work queues, leader
 * election, metrics, health endpoints and logs around the controllers, and returns a handle to stop it.
 * `shazam operator` (operator/cli.ts), the tests and the demo all start it this way.
 */
import { hostname } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import { assetSubmissionController } from '../controllers/asset-submission/controller.ts';
import type { Context, ObjectCache } from '../controllers/context.ts';
import type { Controller, ControllerKind, WatchedObjects } from '../controllers/controller.ts';
import { errorCode, errorPolicy } from '../controllers/error-policy.ts';
import { LABELS, MANAGED_BY } from '../controllers/names.ts';
import { qaReviewController } from '../controllers/qa-review/controller.ts';
import { renderJobController } from '../controllers/render-job/controller.ts';
import { RESOURCES } from '../controllers/resources.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { type Clock, systemClock } from '../lib/kube/clock.ts';
import { createEventRecorder } from '../lib/kube/event-recorder.ts';
import { createInformer, type Informer, objectKey } from '../lib/kube/informer.ts';
import type { KubeCredentials } from '../lib/kube/kube-credentials.ts';
import { createLeaderElector, type LeaderElector } from '../lib/kube/leader-election.ts';
import type { KubeLogger } from '../lib/kube/logger.ts';
import { WorkQueue } from '../lib/kube/work-queue.ts';
import { createS3Client, instrumentS3Client } from '../lib/storage/s3-client.ts';
import {
  type CachedPod,
  cacheFromInformers,
  OPERATOR_TRANSFORMS,
  type OperatorInformers,
  type WatchedInformers,
} from './cache.ts';
import type { OperatorConfig } from './config.ts';
import { type HttpEndpoints, startHttpEndpoints } from './http.ts';
import { createOperatorMetrics, type OperatorMetrics } from './metrics.ts';

/** Options of {@link startOperator}. */
export interface StartOperatorOptions {
  config: OperatorConfig;
  kubeConfig: KubeCredentials;
  /** S3 client; built from `config.s3` and the SDK's credential chain when unset. */
  s3?: S3Client;
  log: KubeLogger;
  clock?: Clock;
  /** Serve /healthz, /readyz and /metrics (default true). Ports 0 pick free ports. */
  serveHttp?: boolean;
}

/** A running operator. */
export interface OperatorHandle {
  /** Resolves once every informer has listed its objects. */
  readonly synced: Promise<void>;
  /** The shared Kubernetes client; `stats` counts every request and write it sent. */
  readonly kube: KubeClient;
  /** The controllers' view of the informers (objects as cached, after {@link OPERATOR_TRANSFORMS}). */
  readonly cache: ObjectCache;
  readonly metrics: OperatorMetrics;
  /** Bound addresses of the HTTP endpoints, when served. */
  readonly http: HttpEndpoints | undefined;
  /** The Lease holder identity of this replica. */
  readonly identity: string;
  /** True while this replica is the leader (always true with leader election off). */
  isLeader(): boolean;
  /** Resolves once no key is queued or running (for tests and benchmarks). */
  idle(): Promise<void>;
  /** Queues every cached object at once, as the periodic resync does. */
  resyncNow(): void;
  /**
   * Stops taking work, finishes in-flight reconciles (up to `drainMs`; 0 aborts them), releases the Lease
   * (unless `releaseLease` is false, which simulates a crashed leader) and closes.
   */
  stop(drainMs?: number, options?: { releaseLease?: boolean }): Promise<void>;
}

/** The controllers the operator runs, in the order their queues start. */
export const CONTROLLERS: readonly Controller[] = [
  assetSubmissionController,
  qaReviewController,
  renderJobController,
];

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/**
 * Starts the operator: informers at once (standby replicas keep warm caches and report ready), work
 * queues and reconciles only while this replica leads.
 */
export async function startOperator(options: StartOperatorOptions): Promise<OperatorHandle> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  // Every write of the controllers is fenced on leadership; the elector has its own client.
  let leading = !config.leaderElection.enabled;
  const kube = new KubeClient(options.kubeConfig, {
    userAgent: 'shazam-operator',
    writeFence: () => (leading ? undefined : 'this replica is not the leader'),
  });
  const s3 =
    options.s3 ??
    createS3Client({
      endpoint: config.s3.endpoint,
      region: config.s3.region,
      forcePathStyle: config.s3.forcePathStyle,
    });
  const identity = config.leaderElection.identity || `${hostname()}-${process.pid}`;
  const namespaces = config.namespaces;
  const resyncMs = config.resyncSeconds * 1000;
  const common = { kubeConfig: options.kubeConfig, client: kube, namespaces, log, clock, resyncMs };
  const informers: OperatorInformers = {
    AssetSubmission: createInformer<WatchedObjects['AssetSubmission']>({
      ...common,
      ...RESOURCES.assetSubmission,
      transform: OPERATOR_TRANSFORMS.AssetSubmission,
    }),
    QAReview: createInformer<WatchedObjects['QAReview']>({
      ...common,
      ...RESOURCES.qaReview,
      transform: OPERATOR_TRANSFORMS.QAReview,
    }),
    RenderJob: createInformer<WatchedObjects['RenderJob']>({
      ...common,
      ...RESOURCES.renderJob,
      transform: OPERATOR_TRANSFORMS.RenderJob,
    }),
    Job: createInformer<WatchedObjects['Job']>({
      ...common,
      ...RESOURCES.job,
      labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`,
      resyncMs: 0,
      transform: OPERATOR_TRANSFORMS.Job,
    }),
    // Only the pods of SHAZAM's Jobs (the Job template's managed-by label), read by observation.
    Pod: createInformer<CachedPod>({
      ...common,
      ...RESOURCES.pod,
      labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`,
      resyncMs: 0,
      transform: OPERATOR_TRANSFORMS.Pod,
    }),
  };
  // The cache's indexes register their handlers first, so event mapping reads them current.
  const cache = cacheFromInformers(informers);
  let queues: Record<ControllerKind, WorkQueue<string>> | undefined;

  const metrics = createOperatorMetrics({
    submissions: () => informers.AssetSubmission.list(),
    reviews: () => informers.QAReview.list(),
    queueDepth: () =>
      Object.fromEntries(
        Object.entries(queues ?? {}).map(([kind, queue]) => {
          const stats = queue.stats();
          return [kind, stats.ready + stats.delayed];
        }),
      ),
    queueCounts: () =>
      Object.fromEntries(
        Object.entries(queues ?? {}).map(([kind, queue]) => {
          const { adds, retries } = queue.stats();
          return [kind, { adds, retries }];
        }),
      ),
    kubeRequests: () => ({ ...kube.stats.byMethod }),
    isLeader: () => leading,
    now: () => clock.now(),
  });
  // Every S3 call of the controllers is counted, whether the client was built here or passed in.
  instrumentS3Client(s3, metrics.s3Requests);
  const ctx: Context = {
    kube,
    s3,
    cache,
    clock,
    log,
    events: createEventRecorder(kube, clock, log, 'shazam-operator'),
    metrics,
    config,
  };

  function makeQueue(controller: Controller): WorkQueue<string> {
    const { kind } = controller;
    return new WorkQueue<string>({
      concurrency: controller.concurrency(config),
      backoff: { initialMs: config.backoff.baseMs, maxMs: config.backoff.maxMs },
      log,
      clock,
      errorPolicy: (_key, error) => errorPolicy(error),
      handler: async (key) => {
        const started = performance.now();
        const [namespace, name] = splitKey(key);
        try {
          const result = await controller.reconcile(ctx, namespace, name);
          metrics.reconciled(kind, (performance.now() - started) / 1000, undefined);
          return result;
        } catch (error) {
          const code = errorCode(error);
          metrics.reconciled(kind, (performance.now() - started) / 1000, code);
          log.warn(
            { kind, namespace, name, code, err: (error as Error)?.message ?? String(error) },
            `Reconcile of ${kind} failed`,
          );
          throw error;
        }
      },
    });
  }

  // Event mapping, as each controller declares it. Level-triggered: the kind of event is ignored.
  function wire<S extends keyof WatchedObjects>(
    kind: ControllerKind,
    source: S,
    keys: (object: WatchedObjects[S], c: typeof cache) => string[],
  ): void {
    const watched: WatchedInformers = informers;
    const informer: Informer<WatchedObjects[S]> = watched[source];
    const handler = (object: WatchedObjects[S]) => {
      for (const key of keys(object, cache)) queues?.[kind].add(key);
    };
    informer.on('add', handler);
    informer.on('update', handler);
    informer.on('delete', handler);
  }
  for (const controller of CONTROLLERS) {
    // A union of watches cannot be narrowed per member: each `keys` matches its own `source`.
    for (const watch of controller.watches) wire(controller.kind, watch.source, watch.keys as never);
  }

  function enqueueAll(): void {
    for (const controller of CONTROLLERS) {
      for (const object of informers[controller.kind].list())
        queues?.[controller.kind].add(objectKey(object));
    }
  }

  function startWorking(): void {
    if (queues) return;
    leading = true;
    queues = Object.fromEntries(
      CONTROLLERS.map((controller) => [controller.kind, makeQueue(controller)]),
    ) as Record<ControllerKind, WorkQueue<string>>;
    enqueueAll();
    log.info({ identity }, 'Started reconciling');
  }

  async function stopWorking(drainMs: number): Promise<void> {
    const current = queues;
    queues = undefined;
    leading = false;
    if (!current) return;
    const draining = Promise.all(Object.values(current).map((queue) => queue.shutdown(true)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), drainMs);
    });
    const result = await Promise.race([draining, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') await Promise.all(Object.values(current).map((queue) => queue.shutdown(false)));
    log.info({ identity }, 'Stopped reconciling');
  }

  const synced = Promise.all(Object.values(informers).map((informer) => informer.start())).then(() => {
    log.info({ identity, namespaces: namespaces.length > 0 ? namespaces : ['(all)'] }, 'Caches synced');
  });

  let elector: LeaderElector | undefined;
  if (config.leaderElection.enabled) {
    elector = createLeaderElector({
      kubeConfig: options.kubeConfig,
      namespace: config.leaderElection.leaseNamespace,
      name: config.leaderElection.leaseName,
      identity,
      leaseDurationMs: config.leaderElection.leaseDurationSeconds * 1000,
      renewDeadlineMs: config.leaderElection.renewDeadlineSeconds * 1000,
      retryPeriodMs: config.leaderElection.retryPeriodSeconds * 1000,
      clock,
      log,
      // Reconciling waits for the caches: a leader acting on an empty cache would recreate children.
      onStartedLeading: () => void synced.then(() => (elector?.isLeader() ? startWorking() : undefined)),
      onStoppedLeading: () => void stopWorking(0),
    });
    elector.start();
  } else {
    void synced.then(startWorking);
  }

  const allSynced = () => Object.values(informers).every((informer) => informer.hasSynced());
  const http =
    options.serveHttp === false
      ? undefined
      : await startHttpEndpoints({
          host: config.server.host,
          metricsPort: config.server.metricsPort,
          healthPort: config.server.healthPort,
          registry: metrics.registry,
          ready: allSynced,
        });

  return {
    synced,
    kube,
    cache,
    metrics,
    http,
    identity,
    isLeader: () => leading,
    async idle() {
      for (;;) {
        const current = queues;
        if (!current) return;
        await Promise.all(Object.values(current).map((queue) => queue.whenIdle()));
        const busy = Object.values(current).some((queue) => {
          const stats = queue.stats();
          return stats.ready + stats.processing > 0;
        });
        if (!busy) return;
      }
    },
    resyncNow: enqueueAll,
    async stop(drainMs = 10_000, stopOptions = {}) {
      await stopWorking(drainMs);
      await elector?.stop({ release: stopOptions.releaseLease ?? true });
      for (const informer of Object.values(informers)) informer.stop();
      await http?.close();
      kube.close();
      log.info({ identity }, 'Operator stopped');
    },
  };
}
