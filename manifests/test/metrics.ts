import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The source files that define SHAZAM's Prometheus metrics (prom-client `name:` fields). */
export const METRIC_SOURCES = [
  'operator/metrics.ts',
  'search-api/plugins/app/metrics.ts',
  'lib/metrics/s3-request-metrics.ts',
] as const;

/** Every metric name the programs export, read from their sources. */
export async function exportedMetricNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const source of METRIC_SOURCES) {
    const text = await readFile(fileURLToPath(new URL(`../../${source}`, import.meta.url)), 'utf8');
    for (const match of text.matchAll(/name:\s*'(shazam_[a-z0-9_]+)'/g)) if (match[1]) names.add(match[1]);
  }
  return names;
}

/**
 * The `shazam_*` series a PromQL expression reads, with histogram suffixes folded onto the metric name
 * (`x_bucket`, `x_count`, `x_sum` → `x`) when `x` is a known histogram.
 */
export function seriesIn(expression: string, known: Set<string>): string[] {
  const found = new Set<string>();
  for (const match of expression.matchAll(/\b(shazam_[a-z0-9_]+)\b/g)) {
    const name = match[1] ?? '';
    const base = name.replace(/_(bucket|count|sum)$/, '');
    found.add(known.has(name) ? name : base);
  }
  return [...found];
}
