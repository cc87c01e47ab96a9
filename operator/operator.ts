/**
 * The operator process as a function: {@link startOperator} wires clients, informers, work queues, leader
 * election, metrics, health endpoints and logs around the controllers, and returns a handle to stop it.
 * `shazam operator` (operator/cli.ts), the tests and the demo all start it this way.
 */
import { hostname } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { reconcileSubmission } from '../controllers/asset-submission/reconcile.ts';
import type { Context } from '../controllers/context.ts';
import { errorCode, errorPolicy } from '../controllers/error-policy.ts';
import { LABELS, MANAGED_BY } from '../controllers/names.ts';
import { reconcileReview } from '../controllers/qa-review/reconcile.ts';
import { reconcileRenderJob } from '../controllers/render-job/reconcile.ts';
import {
  type AssetSubmission,
  type Job,
  type QAReview,
  RESOURCES,
  type RenderJob,
} from '../controllers/resources.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { type Clock, systemClock } from '../lib/kube/clock.ts';
import { createInformer, type Informer, objectKey } from '../lib/kube/informer.ts';
import { createLeaderElector, type LeaderElector } from '../lib/kube/leader-election.ts';
import type { KubeLogger } from '../lib/kube/logger.ts';
import { WorkQueue } from '../lib/kube/work-queue.ts';
import { createS3Client, instrumentS3Client } from '../lib/storage/s3-client.ts';
import { type Cached, cacheFromInformers, KeyIndex, type OperatorInformers } from './cache.ts';
import type { OperatorConfig } from './config.ts';
import { createEventRecorder } from './events.ts';
import { type HttpEndpoints, startHttpEndpoints } from './http.ts';
import { createOperatorMetrics, type OperatorMetrics } from './metrics.ts';

/** Options of {@link startOperator}. */
export interface StartOperatorOptions {
  config: OperatorConfig;
  kubeConfig: KubeConfig;
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

type Kind = 'AssetSubmission' | 'QAReview' | 'RenderJob';

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

function controllerOwner(object: {
  metadata?: { ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
}) {
  return object.metadata?.ownerReferences?.find((reference) => reference.controller === true);
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
    submissions: createInformer<Cached<AssetSubmission>>({ ...common, ...RESOURCES.assetSubmission }),
    reviews: createInformer<Cached<QAReview>>({ ...common, ...RESOURCES.qaReview }),
    renderJobs: createInformer<Cached<RenderJob>>({ ...common, ...RESOURCES.renderJob }),
    jobs: createInformer<Cached<Job>>({
      ...common,
      ...RESOURCES.job,
      labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`,
      resyncMs: 0,
    }),
  };
  // Event mapping indexes: submissions by ASIN (peers to supersede), reviews by the submission they name.
  const byAsin = new KeyIndex();
  const reviewsBySubmission = new KeyIndex();
  const cache = cacheFromInformers(informers, byAsin);
  let queues: Record<Kind, WorkQueue<string>> | undefined;

  const metrics = createOperatorMetrics({
    submissions: () => informers.submissions.list(),
    reviews: () => informers.reviews.list(),
    queueDepth: () =>
      Object.fromEntries(
        Object.entries(queues ?? {}).map(([kind, queue]) => {
          const stats = queue.stats();
          return [kind, stats.ready + stats.delayed];
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

  const reconcilers: Record<Kind, (namespace: string, name: string) => Promise<{ requeueAfterMs?: number }>> =
    {
      AssetSubmission: (namespace, name) => reconcileSubmission(ctx, namespace, name),
      QAReview: (namespace, name) => reconcileReview(ctx, namespace, name),
      RenderJob: (namespace, name) => reconcileRenderJob(ctx, namespace, name),
    };
  const concurrency: Record<Kind, number> = {
    AssetSubmission: config.concurrency.assetSubmission,
    QAReview: config.concurrency.qaReview,
    RenderJob: config.concurrency.renderJob,
  };

  function makeQueue(kind: Kind): WorkQueue<string> {
    return new WorkQueue<string>({
      concurrency: concurrency[kind],
      backoff: { initialMs: config.backoff.baseMs, maxMs: config.backoff.maxMs },
      log,
      clock,
      errorPolicy: (_key, error) => errorPolicy(error),
      handler: async (key) => {
        const started = performance.now();
        const [namespace, name] = splitKey(key);
        try {
          const result = await reconcilers[kind](namespace, name);
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

  function enqueue(kind: Kind, key: string): void {
    queues?.[kind].add(key);
  }

  // Event mapping: which keys an object change concerns. Level-triggered: the kind of event is ignored.
  const onSubmission = (submission: AssetSubmission, gone = false) => {
    const key = objectKey(submission as Cached<AssetSubmission>);
    if (gone) byAsin.remove(key);
    else byAsin.set(key, submission.spec.asin);
    enqueue('AssetSubmission', key);
    // A published peer can supersede, and a new revision can orphan reviews.
    for (const peer of byAsin.keys(submission.spec.asin)) if (peer !== key) enqueue('AssetSubmission', peer);
    for (const review of reviewsBySubmission.keys(key)) enqueue('QAReview', review);
  };
  const onReview = (review: QAReview, gone = false) => {
    const key = objectKey(review as Cached<QAReview>);
    const submissionKey = `${review.metadata.namespace}/${review.spec.submissionRef.name}`;
    if (gone) reviewsBySubmission.remove(key);
    else reviewsBySubmission.set(key, submissionKey);
    enqueue('QAReview', key);
    enqueue('AssetSubmission', submissionKey);
  };
  const onRenderJob = (renderJob: RenderJob) => {
    enqueue('RenderJob', objectKey(renderJob as Cached<RenderJob>));
    const owner = controllerOwner(renderJob);
    if (owner?.kind === 'AssetSubmission')
      enqueue('AssetSubmission', `${renderJob.metadata.namespace}/${owner.name}`);
  };
  const onJob = (job: Job) => {
    const owner = controllerOwner(job);
    if (owner?.kind === 'AssetSubmission' || owner?.kind === 'RenderJob') {
      enqueue(owner.kind, `${job.metadata.namespace}/${owner.name}`);
    }
  };
  function wire<T extends KubernetesObject>(
    informer: Informer<T>,
    handler: (object: T, gone?: boolean) => void,
  ) {
    informer.on('add', (object) => handler(object));
    informer.on('update', (object) => handler(object));
    informer.on('delete', (object) => handler(object, true));
  }
  wire(informers.submissions, onSubmission);
  wire(informers.reviews, onReview);
  wire(informers.renderJobs, onRenderJob);
  wire(informers.jobs, onJob);

  function enqueueAll(): void {
    for (const submission of informers.submissions.list())
      enqueue('AssetSubmission', objectKey(submission as Cached<AssetSubmission>));
    for (const review of informers.reviews.list()) enqueue('QAReview', objectKey(review as Cached<QAReview>));
    for (const renderJob of informers.renderJobs.list())
      enqueue('RenderJob', objectKey(renderJob as Cached<RenderJob>));
  }

  function startWorking(): void {
    if (queues) return;
    leading = true;
    queues = {
      AssetSubmission: makeQueue('AssetSubmission'),
      QAReview: makeQueue('QAReview'),
      RenderJob: makeQueue('RenderJob'),
    };
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
