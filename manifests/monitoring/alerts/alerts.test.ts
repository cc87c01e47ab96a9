import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { exportedMetricNames, seriesIn } from '../../test/metrics.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}
interface PrometheusRule {
  spec: { groups: { name: string; rules: Rule[] }[] };
}
interface UnitTests {
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

function promtool(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile('promtool', args, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('promtool is missing: apt-get install -y prometheus'));
        return;
      }
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** Writes the PrometheusRule's spec as a Prometheus rule file beside a copy of the unit tests. */
async function workspace(rule: PrometheusRule): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shazam-promtool-'));
  await writeFile(join(dir, 'rules.yaml'), stringify(rule.spec));
  await copyFile(here('prometheusrule.promtool.yaml'), join(dir, 'tests.yaml'));
  return dir;
}

let rule: PrometheusRule;
let tests: UnitTests;
beforeAll(async () => {
  rule = parse(await readFile(here('prometheusrule.yaml'), 'utf8')) as PrometheusRule;
  tests = parse(await readFile(here('prometheusrule.promtool.yaml'), 'utf8')) as UnitTests;
});

const alerts = () => rule.spec.groups.flatMap((group) => group.rules).filter((r) => r.alert !== undefined);

describe('SHAZAM alerts', () => {
  it('pass promtool check rules and every promtool unit test', async () => {
    const dir = await workspace(rule);
    const check = await promtool(['check', 'rules', 'rules.yaml'], dir);
    expect(check.output).toMatch(/SUCCESS/);
    expect(check.code).toBe(0);
    const result = await promtool(['test', 'rules', 'tests.yaml'], dir);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.code).toBe(0);
  });

  it('include the three alerts ops asked for', () => {
    expect(alerts().map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'ShazamQABacklogSLABreached',
        'ShazamRenderFailures',
        'ShazamValidationFailureSpike',
      ]),
    );
  });

  it('have, for every alert, a case where it fires and a case where it stays quiet', () => {
    for (const { alert } of alerts()) {
      const cases = tests.tests
        .flatMap((test) => test.alert_rule_test ?? [])
        .filter((c) => c.alertname === alert);
      expect(
        cases.some((c) => c.exp_alerts.length > 0),
        `${alert} never fires in a test`,
      ).toBe(true);
      expect(
        cases.some((c) => c.exp_alerts.length === 0),
        `${alert} is never shown quiet in a test`,
      ).toBe(true);
    }
  });

  it('link to a runbook section of docs/observability.md that exists', async () => {
    const docs = await readFile(here('../../../docs/observability.md'), 'utf8');
    for (const { alert } of alerts()) {
      const rules = rule.spec.groups.flatMap((group) => group.rules) as (Rule & {
        annotations?: Record<string, string>;
      })[];
      const url = rules.find((r) => r.alert === alert)?.annotations?.runbook_url ?? '';
      expect(url).toMatch(new RegExp(`docs/observability\\.md#${(alert ?? '').toLowerCase()}$`));
      expect(docs).toContain(`### ${alert}\n`);
    }
  });

  it('read only metrics that operator/ and search-api/ really export', async () => {
    const known = await exportedMetricNames();
    for (const { alert, expr } of alerts()) {
      for (const series of seriesIn(expr, known)) expect(known, `${alert} reads ${series}`).toContain(series);
    }
  });

  it('would catch a broken threshold: the unit tests fail when the SLA alert loses its 24 h bound', async () => {
    const broken = structuredClone(rule);
    for (const group of broken.spec.groups) {
      for (const r of group.rules)
        if (r.alert === 'ShazamQABacklogSLABreached') r.expr = 'max(shazam_qa_oldest_open_seconds) > 0';
    }
    const result = await promtool(['test', 'rules', 'tests.yaml'], await workspace(broken));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/reviews decided within the SLA raise nothing/);
  });
});
