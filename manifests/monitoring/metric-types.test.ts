import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createOperatorMetrics } from '../../operator/metrics.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** `# TYPE` of every family in a Prometheus text exposition. */
function types(exposition: string): Map<string, string> {
  return new Map(
    [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [name ?? '', type ?? '']),
  );
}

/** The value of one sample line, e.g. `x_total{method="GET"}`. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

function operatorMetrics(kubeRequests: Record<string, number>, counts: { adds: number; retries: number }) {
  return createOperatorMetrics({
    submissions: () => [],
    reviews: () => [],
    queueDepth: () => ({ AssetSubmission: 3 }),
    queueCounts: () => ({ AssetSubmission: counts }),
    kubeRequests: () => kubeRequests,
    isLeader: () => true,
    now: () => Date.parse('2026-01-01T00:00:00Z'),
  });
}

describe('the operator’s metric types', () => {
  it('exports Kubernetes API requests as a counter that grows with the requests sent', async () => {
    const requests = { GET: 10, PATCH: 2 };
    const metrics = operatorMetrics(requests, { adds: 0, retries: 0 });
    const first = await metrics.registry.metrics();
    expect(types(first).get('shazam_kube_requests_total')).toBe('counter');
    expect(types(first).has('shazam_kube_requests')).toBe(false);
    expect(sample(first, 'shazam_kube_requests_total{method="GET"}')).toBe(10);
    requests.GET = 25;
    const second = await metrics.registry.metrics();
    expect(sample(second, 'shazam_kube_requests_total{method="GET"}')).toBe(25);
    expect(sample(second, 'shazam_kube_requests_total{method="PATCH"}')).toBe(2);
  });

  it('exports work-queue and reconcile metrics under controller-runtime’s names and labels', async () => {
    const counts = { adds: 7, retries: 2 };
    const metrics = operatorMetrics({}, counts);
    metrics.reconciled('AssetSubmission', 0.2, undefined);
    metrics.reconciled('AssetSubmission', 0.4, 'SHAZAM_E_S3');
    const text = await metrics.registry.metrics();
    expect(Object.fromEntries(types(text))).toMatchObject({
      workqueue_depth: 'gauge',
      workqueue_adds_total: 'counter',
      workqueue_retries_total: 'counter',
      controller_runtime_reconcile_total: 'counter',
      controller_runtime_reconcile_errors_total: 'counter',
      controller_runtime_reconcile_time_seconds: 'histogram',
    });
    expect(sample(text, 'workqueue_depth{name="assetsubmission"}')).toBe(3);
    expect(sample(text, 'workqueue_adds_total{name="assetsubmission"}')).toBe(7);
    expect(sample(text, 'workqueue_retries_total{name="assetsubmission"}')).toBe(2);
    expect(
      sample(text, 'controller_runtime_reconcile_total{controller="assetsubmission",result="success"}'),
    ).toBe(1);
    expect(
      sample(text, 'controller_runtime_reconcile_total{controller="assetsubmission",result="error"}'),
    ).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_errors_total{controller="assetsubmission"}')).toBe(1);
    expect(
      sample(text, 'controller_runtime_reconcile_time_seconds_count{controller="assetsubmission"}'),
    ).toBe(2);
    counts.adds = 9;
    expect(sample(await metrics.registry.metrics(), 'workqueue_adds_total{name="assetsubmission"}')).toBe(9);
  });

  it('applies rate() and increase() in dashboards and alerts to counters and histograms only', async () => {
    const exported = types(await operatorMetrics({ GET: 1 }, { adds: 1, retries: 0 }).registry.metrics());
    const expressions: string[] = [];
    for (const dashboard of ['pipeline', 'people', 'gpu', 'storage-search']) {
      const text = await readFile(here(`dashboards/${dashboard}.json`), 'utf8');
      for (const match of text.matchAll(/"expr":\s*"((?:[^"\\]|\\.)*)"/g))
        expressions.push(JSON.parse(`"${match[1]}"`));
    }
    const rules = parse(await readFile(here('alerts/prometheusrule.yaml'), 'utf8')) as {
      spec: { groups: { rules: { expr: string }[] }[] };
    };
    for (const group of rules.spec.groups) for (const rule of group.rules) expressions.push(rule.expr);
    const ratedOperatorSeries = expressions.flatMap((expression) =>
      [...expression.matchAll(/\b(?:rate|increase|irate)\(\s*([a-z_:][a-z0-9_:]*)/g)]
        .map(([, name]) => name ?? '')
        .filter((name) => exported.has(name.replace(/_(bucket|count|sum)$/, '')) || exported.has(name)),
    );
    expect(ratedOperatorSeries).toContain('shazam_kube_requests_total');
    for (const name of ratedOperatorSeries) {
      const family = exported.has(name) ? name : name.replace(/_(bucket|count|sum)$/, '');
      expect(['counter', 'histogram'], name).toContain(exported.get(family));
    }
  });
});
