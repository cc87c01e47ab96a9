import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { exportedMetricNames, seriesIn } from '../../test/metrics.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
/** Grafana's reference to the dashboard's `datasource` variable. */
const DATASOURCE_VARIABLE = ['$', '{datasource}'].join('');

interface Target {
  expr: string;
  datasource: { uid: string };
}
interface Panel {
  type: string;
  title: string;
  description?: string;
  datasource?: { uid: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

/**
 * Series not defined in operator/ or search-api/: kube-state-metrics' AssetSubmission metrics (configured in
 * ../kube-state-metrics/custom-resource-state.yaml).
 */
async function kubeStateMetricsSeries(): Promise<string[]> {
  const config = parse(await readFile(here('../kube-state-metrics/custom-resource-state.yaml'), 'utf8')) as {
    spec: { resources: { metricNamePrefix: string; metrics: { name: string }[] }[] };
  };
  return config.spec.resources.flatMap((resource) =>
    resource.metrics.map((m) => `${resource.metricNamePrefix}_${m.name}`),
  );
}

let dashboards: Map<string, Dashboard>;
let known: Set<string>;
const targets = () =>
  [...dashboards.values()].flatMap((d) =>
    d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ dashboard: d.title, panel: p.title, ...t }))),
  );

beforeAll(async () => {
  const kustomization = parse(await readFile(here('../kustomization.yaml'), 'utf8')) as {
    configMapGenerator: { files: string[] }[];
  };
  dashboards = new Map();
  for (const generator of kustomization.configMapGenerator) {
    for (const file of generator.files) {
      dashboards.set(file, JSON.parse(await readFile(here(`../${file}`), 'utf8')) as Dashboard);
    }
  }
  known = new Set([...(await exportedMetricNames()), ...(await kubeStateMetricsSeries())]);
});

describe('Grafana dashboards', () => {
  it('are all provisioned by the labelled ConfigMaps, each with its own uid', () => {
    expect(dashboards.size).toBe(4);
    const uids = [...dashboards.values()].map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('query the Prometheus picked on the dashboard, and describe every panel', () => {
    for (const dashboard of dashboards.values()) {
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        expect(panel.description, `${dashboard.title} / ${panel.title}`).toBeTruthy();
        expect(panel.datasource?.uid).toBe(DATASOURCE_VARIABLE);
        for (const target of panel.targets ?? []) expect(target.datasource.uid).toBe(DATASOURCE_VARIABLE);
      }
    }
  });

  it('read only series SHAZAM, kube-state-metrics and DCGM really export', () => {
    for (const target of targets()) {
      for (const series of seriesIn(target.expr, known)) {
        expect(known, `${target.dashboard} / ${target.panel} reads ${series}`).toContain(series);
      }
      for (const match of target.expr.matchAll(/\b(DCGM_[A-Z_]+)\b/g)) {
        // Fields of DCGM exporter's default counter set.
        expect([
          'DCGM_FI_DEV_GPU_UTIL',
          'DCGM_FI_DEV_FB_USED',
          'DCGM_FI_DEV_POWER_USAGE',
          'DCGM_FI_DEV_GPU_TEMP',
        ]).toContain(match[1]);
      }
    }
  });

  it.each([
    ['artist productivity', /shazam_assetsubmission_phase\{phase="Published"/],
    [
      'QA rejection rate',
      /phase="Rejected"\}\[\w+\]\)\) \/ sum\(increase\(shazam_submission_time_to_phase_seconds_count/,
    ],
    [
      'pipeline latency per stage',
      /histogram_quantile\(0\.95, sum by \(le, phase\) \(rate\(shazam_submission_time_to_phase_seconds_bucket/,
    ],
    ['GPU utilisation', /DCGM_FI_DEV_GPU_UTIL/],
    ['storage reclaimed by retention', /shazam_retention_reclaimed_bytes_total/],
    ['search success rate', /shazam_search_searches_total\{outcome="hit"\}/],
  ])('chart %s', (_topic, pattern) => {
    expect(targets().some((target) => pattern.test(target.expr))).toBe(true);
  });

  it('hold only PromQL that Prometheus parses', async () => {
    // Grafana's variables replaced by values Prometheus accepts, each query checked as a recording rule.
    const rules = targets().map((target, index) => ({
      record: `shazam:dashboard_query_${index}`,
      expr: target.expr
        .replaceAll('$__rate_interval', '5m')
        .replaceAll('$__range', '1d')
        .replaceAll('$artist', '.*'),
    }));
    const dir = await mkdtemp(join(tmpdir(), 'shazam-dashboards-'));
    await writeFile(join(dir, 'queries.yaml'), stringify({ groups: [{ name: 'dashboards', rules }] }));
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile('promtool', ['check', 'rules', 'queries.yaml'], { cwd: dir }, (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, output: stdout + stderr }),
      );
    });
    expect(result.output).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
    expect(result.code).toBe(0);
  });
});
