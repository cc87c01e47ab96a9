/**
 * The operator's Prometheus metrics (prom-client), one registry per operator instance. Names are the
 * dashboards' contract; docs/operator.md lists them.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ControllerMetrics } from '../controllers/context.ts';
import type { AssetSubmission, QAReview } from '../controllers/resources.ts';

/** Live sources the gauges read at scrape time. */
export interface MetricSources {
  submissions: () => AssetSubmission[];
  reviews: () => QAReview[];
  queueDepth: () => Record<string, number>;
  kubeRequests: () => Record<string, number>;
  isLeader: () => boolean;
  now: () => number;
}

/** The metrics of one operator. */
export interface OperatorMetrics extends ControllerMetrics {
  registry: Registry;
  reconciled(kind: string, seconds: number, errorCode: string | undefined): void;
}

const PHASE_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600];

/** Creates the registry and every metric. */
export function createOperatorMetrics(sources: MetricSources): OperatorMetrics {
  const registry = new Registry();
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
  new Gauge({
    name: 'shazam_kube_requests',
    help: 'Requests sent to the Kubernetes API since start, by HTTP method.',
    labelNames: ['method'],
    registers: [registry],
    collect() {
      for (const [method, count] of Object.entries(sources.kubeRequests())) this.set({ method }, count);
    },
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
    reconciled(kind, seconds, errorCode) {
      reconcileTotal.inc({ kind, result: errorCode ? 'error' : 'success' });
      if (errorCode) reconcileErrors.inc({ kind, code: errorCode });
      reconcileDuration.observe({ kind }, seconds);
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
