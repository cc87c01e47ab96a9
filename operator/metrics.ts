/**
 * The operator's Prometheus metrics (prom-client), one registry per operator instance: the flow's own, the
 * S3 requests (lib/metrics/s3-request-metrics.ts) and the process's (lib/metrics/process-metrics.ts).
 * Names are the dashboards' contract; docs/observability.md lists them.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ControllerMetrics } from '../controllers/context.ts';
import type { AssetSubmission, QAReview } from '../controllers/resources.ts';
import { registerProcessMetrics } from '../lib/metrics/process-metrics.ts';
import { createS3RequestMetrics, type S3RequestMetrics } from '../lib/metrics/s3-request-metrics.ts';

/** Live sources the gauges read at scrape time. */
export interface MetricSources {
  submissions: () => AssetSubmission[];
  reviews: () => QAReview[];
  queueDepth: () => Record<string, number>;
  /** Per controller kind: keys added to its work queue and re-queued with backoff since start. */
  queueCounts?: () => Record<string, { adds: number; retries: number }>;
  /** Kubernetes API requests sent since start, by HTTP method. */
  kubeRequests: () => Record<string, number>;
  isLeader: () => boolean;
  now: () => number;
}

/** The metrics of one operator. */
export interface OperatorMetrics extends ControllerMetrics {
  registry: Registry;
  /** Counts the operator's S3 calls; install it on the client with `instrumentS3Client`. */
  s3Requests: S3RequestMetrics;
  reconciled(kind: string, seconds: number, errorCode: string | undefined): void;
}

const PHASE_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600];

/**
 * The name controller-runtime gives a controller in its metrics (`controller` and `name` labels): the
 * lower-cased kind, so dashboards built for controller-runtime operators work unchanged.
 */
export function controllerName(kind: string): string {
  return kind.toLowerCase();
}

/** Creates the registry and every metric. */
export function createOperatorMetrics(sources: MetricSources): OperatorMetrics {
  const registry = new Registry();
  registerProcessMetrics(registry);
  const s3Requests = createS3RequestMetrics(registry);
  /**
   * A counter fed at scrape time from a running total kept elsewhere: each scrape adds what the total
   * grew by since the last one, so the series is a true counter (`rate()` and resets work).
   */
  const totalCounter = (spec: {
    name: string;
    help: string;
    label: string;
    read: () => Record<string, number>;
  }) => {
    const { name, help, label, read } = spec;
    const reported = new Map<string, number>();
    return new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        for (const [value, total] of Object.entries(read())) {
          const grown = total - (reported.get(value) ?? 0);
          if (grown > 0) this.inc({ [label]: value }, grown);
          reported.set(value, total);
        }
      },
    });
  };
  const queueCounts = (field: 'adds' | 'retries') => () =>
    Object.fromEntries(
      Object.entries(sources.queueCounts?.() ?? {}).map(([kind, counts]) => [
        controllerName(kind),
        counts[field],
      ]),
    );
  // controller-runtime's names and labels (pkg/metrics, pkg/internal/controller/metrics).
  const runtimeReconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller.',
    labelNames: ['controller', 'result'],
    registers: [registry],
  });
  const runtimeReconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller.',
    labelNames: ['controller'],
    registers: [registry],
  });
  const runtimeReconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller.',
    labelNames: ['controller'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60],
    registers: [registry],
  });
  new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue.',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, depth] of Object.entries(sources.queueDepth()))
        this.set({ name: controllerName(kind) }, depth);
    },
  });
  totalCounter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue.',
    label: 'name',
    read: queueCounts('adds'),
  });
  totalCounter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue.',
    label: 'name',
    read: queueCounts('retries'),
  });
  const reconcileTotal = new Counter({
    name: 'shazam_reconcile_total',
    help: 'Reconciles run, by kind and result (success or error).',
    labelNames: ['kind', 'result'],
    registers: [registry],
  });
  const reconcileErrors = new Counter({
    name: 'shazam_reconcile_errors_total',
    help: 'Reconciles that failed, by kind and stable error code.',
    labelNames: ['kind', 'code'],
    registers: [registry],
  });
  const reconcileDuration = new Histogram({
    name: 'shazam_reconcile_duration_seconds',
    help: 'Time one reconcile took, by kind.',
    labelNames: ['kind'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const phaseSeconds = new Histogram({
    name: 'shazam_submission_time_to_phase_seconds',
    help: 'Time from a submission’s creation to entering each phase.',
    labelNames: ['phase'],
    buckets: PHASE_BUCKETS,
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'shazam_qa_rejections_total',
    help: 'QA rejections, by the area of the first finding (none when no finding was given).',
    labelNames: ['area'],
    registers: [registry],
  });
  const renderFailures = new Counter({
    name: 'shazam_render_failures_total',
    help: 'Failed renders, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const retentionVersions = new Counter({
    name: 'shazam_retention_versions_deleted_total',
    help: 'Superseded versions deleted by retention.',
    registers: [registry],
  });
  const retentionBytes = new Counter({
    name: 'shazam_retention_reclaimed_bytes_total',
    help: 'Bytes of S3 storage reclaimed by retention.',
    registers: [registry],
  });
  new Gauge({
    name: 'shazam_workqueue_depth',
    help: 'Keys waiting in the work queue, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, depth] of Object.entries(sources.queueDepth())) this.set({ kind }, depth);
    },
  });
  new Gauge({
    name: 'shazam_submissions',
    help: 'AssetSubmissions per phase.',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const submission of sources.submissions()) {
        const phase = submission.status?.phase ?? 'Pending';
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
      for (const [phase, count] of counts) this.set({ phase }, count);
    },
  });
  new Gauge({
    name: 'shazam_qa_backlog',
    help: 'QAReviews open (waiting for a decision).',
    registers: [registry],
    collect() {
      this.set(sources.reviews().filter((review) => review.status?.phase === 'Open').length);
    },
  });
  new Gauge({
    name: 'shazam_qa_oldest_open_seconds',
    help: 'Age of the oldest open QAReview (0 when none).',
    registers: [registry],
    collect() {
      let oldest = Number.POSITIVE_INFINITY;
      for (const review of sources.reviews()) {
        if (review.status?.phase !== 'Open') continue;
        const opened = Date.parse(review.status.openedAt ?? review.metadata.creationTimestamp ?? '');
        if (!Number.isNaN(opened)) oldest = Math.min(oldest, opened);
      }
      this.set(Number.isFinite(oldest) ? Math.max(0, (sources.now() - oldest) / 1000) : 0);
    },
  });
  totalCounter({
    name: 'shazam_kube_requests_total',
    help: 'Requests sent to the Kubernetes API, by HTTP method.',
    label: 'method',
    read: sources.kubeRequests,
  });
  new Gauge({
    name: 'shazam_leader',
    help: '1 when this replica holds the leader Lease.',
    registers: [registry],
    collect() {
      this.set(sources.isLeader() ? 1 : 0);
    },
  });
  return {
    registry,
    s3Requests,
    reconciled(kind, seconds, errorCode) {
      reconcileTotal.inc({ kind, result: errorCode ? 'error' : 'success' });
      if (errorCode) reconcileErrors.inc({ kind, code: errorCode });
      reconcileDuration.observe({ kind }, seconds);
      const controller = controllerName(kind);
      runtimeReconcileTotal.inc({ controller, result: errorCode ? 'error' : 'success' });
      if (errorCode) runtimeReconcileErrors.inc({ controller });
      runtimeReconcileTime.observe({ controller }, seconds);
    },
    phaseEntered(phase, sinceCreationSeconds) {
      phaseSeconds.observe({ phase }, sinceCreationSeconds);
    },
    rejected(area) {
      rejections.inc({ area });
    },
    renderFailed(reason) {
      renderFailures.inc({ reason });
    },
    retentionApplied(versions, bytes) {
      retentionVersions.inc(versions);
      retentionBytes.inc(bytes);
    },
  };
}
