import { formatLocation } from '../findings.ts';
import type { ValidationReport } from './report.ts';

/** Options of {@link renderText}. */
export interface RenderTextOptions {
  /** Also list info findings (hidden by default: they never block). */
  verbose?: boolean;
}

const MARK = { error: 'ERROR', warning: 'WARN ', info: 'INFO ' } as const;

/**
 * The human rendering of a report for artists: the verdict per stage, then each finding with where it is
 * and how to fix it, then the storefront profiles met or missed.
 */
export function renderText(report: ValidationReport, options: RenderTextOptions = {}): string {
  const lines: string[] = [];
  lines.push(`${report.asin} revision ${report.revision}: ${report.verdict.toUpperCase()}`);
  lines.push(
    `stages: ${Object.entries(report.stages)
      .map(([stage, verdict]) => `${stage} ${verdict}`)
      .join(', ')}`,
  );
  lines.push(
    `${report.counts.errors} error(s), ${report.counts.warnings} warning(s), ${report.counts.infos} info(s)`,
  );
  const shown = report.findings.filter((item) => options.verbose || item.severity !== 'info');
  if (shown.length > 0) lines.push('');
  for (const item of shown) {
    const where = formatLocation(item.location);
    lines.push(`${MARK[item.severity]} ${item.code} [${item.stage}] ${item.message}`);
    if (where) lines.push(`       at ${where}`);
    lines.push(`       fix: ${item.hint}`);
  }
  if (report.profiles.length > 0) {
    lines.push('', 'storefront profiles:');
    for (const profile of report.profiles) {
      lines.push(
        `  ${profile.met ? 'meets ' : 'misses'} ${profile.id}${profile.met ? '' : ` (${profile.missed.join(', ')})`}`,
      );
    }
  }
  const geometry = report.stats.geometry;
  if (geometry) {
    const extent = geometry.bounds.max.map((max, axis) => (max - geometry.bounds.min[axis]!).toFixed(3));
    lines.push(
      '',
      `model: ${geometry.triangles} triangles, ${geometry.vertices} vertices, ${extent.join(' × ')} m, ` +
        `${report.stats.texturing?.textures.length ?? 0} texture(s)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
