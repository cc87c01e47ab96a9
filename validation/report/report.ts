import {
  type CompactFinding,
  MAX_COMPACT_FINDINGS,
  type ProfileOutcome,
  type Severity,
  STAGES,
  type Stage,
  type StageVerdict,
  VALIDATION_RESULT_API_VERSION,
  type ValidationResult,
  type Verdict,
} from '../../lib/contracts/validation-result.ts';
import type { GeometryStats } from '../checks/check-cleanup.ts';
import type { ReferenceStats } from '../checks/check-references.ts';
import type { ObjStats } from '../checks/check-source-obj.ts';
import type { TexturingStats } from '../checks/check-texturing.ts';
import type { UvStats } from '../checks/check-uv.ts';
import { FIXED_SEVERITY_CODES, type Finding, formatLocation } from '../findings.ts';
import type { Policy } from '../policy/policy.ts';

/** `apiVersion` of the full report. */
export const VALIDATION_REPORT_API_VERSION = 'shazam.dev/validation-report/v1';

/** Figures measured on the delivery, whatever the verdict. */
export interface ReportStats {
  archive?: { entries: number; bytes: number };
  model?: { file: string; bytes: number };
  gltfValidator?: { errors: number; warnings: number; infos: number; hints: number; truncated: boolean };
  geometry?: GeometryStats;
  uv?: UvStats;
  texturing?: TexturingStats;
  references?: ReferenceStats[];
  sourceObj?: ObjStats;
}

/** A storefront profile outcome with its title, as the full report lists it. */
export type ReportProfile = ProfileOutcome & { title: string };

/** The full report, stored as `validation.json`. */
export interface ValidationReport {
  apiVersion: typeof VALIDATION_REPORT_API_VERSION;
  asin: string;
  revision: number;
  sha256?: string;
  /** Stages the submission claims done. */
  claimedStages: Stage[];
  verdict: Verdict;
  stages: Record<Stage, StageVerdict>;
  counts: { errors: number; warnings: number; infos: number };
  findings: Finding[];
  summary: string;
  profiles: ReportProfile[];
  stats: ReportStats;
  policy: Policy;
  tools: { validator: string; gltfValidator: string };
  startedAt: string;
  completedAt: string;
}

/** The inputs of {@link buildReport}. */
export interface BuildReportInput {
  asin: string;
  revision: number;
  sha256?: string;
  claimedStages: Stage[];
  /** Artist stages whose checks actually ran (the others are reported Skipped). */
  checkedStages: Stage[];
  findings: Finding[];
  profiles: ReportProfile[];
  stats: ReportStats;
  policy: Policy;
  tools: { validator: string; gltfValidator: string };
  startedAt: string;
  completedAt: string;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Builds the full report: drops findings of artist stages the submission did not claim, applies the
 * policy's severity overrides, sorts findings (errors first, stable otherwise), computes per-stage and
 * overall verdicts and the summary. Pure.
 */
export function buildReport(input: BuildReportInput): ValidationReport {
  const claimed = new Set(input.claimedStages);
  const findings = input.findings
    .filter((item) => !(STAGES as readonly string[]).includes(item.stage) || claimed.has(item.stage as Stage))
    .map((item) => {
      const override = FIXED_SEVERITY_CODES.has(item.code) ? undefined : input.policy.severities[item.code];
      return override ? { ...item, severity: override } : item;
    })
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const counts = {
    errors: findings.filter((item) => item.severity === 'error').length,
    warnings: findings.filter((item) => item.severity === 'warning').length,
    infos: findings.filter((item) => item.severity === 'info').length,
  };
  const stages = Object.fromEntries(
    STAGES.map((stage): [Stage, StageVerdict] => {
      if (!claimed.has(stage) || !input.checkedStages.includes(stage)) return [stage, 'Skipped'];
      const failed = findings.some((item) => item.stage === stage && item.severity === 'error');
      return [stage, failed ? 'Failed' : 'Passed'];
    }),
  ) as Record<Stage, StageVerdict>;
  const verdict: Verdict = counts.errors > 0 ? 'Failed' : 'Passed';
  const report: ValidationReport = {
    apiVersion: VALIDATION_REPORT_API_VERSION,
    asin: input.asin,
    revision: input.revision,
    claimedStages: input.claimedStages,
    verdict,
    stages,
    counts,
    findings,
    summary: '',
    profiles: input.profiles,
    stats: input.stats,
    policy: input.policy,
    tools: input.tools,
    startedAt: input.startedAt,
    completedAt: input.completedAt,
  };
  if (input.sha256) report.sha256 = input.sha256;
  report.summary = summarize(report);
  return report;
}

/** One or two sentences for humans: the verdict, the counts, the first error, the profiles met. */
export function summarize(report: ValidationReport): string {
  const { errors, warnings } = report.counts;
  const head =
    report.verdict === 'Passed'
      ? `${report.asin} r${report.revision} passed with ${warnings} warning(s).`
      : `${report.asin} r${report.revision} failed: ${errors} error(s), ${warnings} warning(s).`;
  const first = report.findings.find((item) => item.severity === 'error');
  const firstText = first ? ` First: ${first.code}: ${first.message}` : '';
  const met = report.profiles.filter((profile) => profile.met).map((profile) => profile.id);
  const profiles = report.profiles.length ? ` Storefronts met: ${met.length ? met.join(', ') : 'none'}.` : '';
  return clip(`${head}${firstText}${profiles}`, 500);
}

/** The compact result for the operator (a few KB whatever the report holds). */
export function toCompactResult(
  report: ValidationReport,
  sha256: string,
  extra: Pick<ValidationResult, 'reportUri' | 'version' | 'repair'> = {},
): ValidationResult {
  const findings: CompactFinding[] = report.findings
    .filter((item) => item.severity !== 'info')
    .slice(0, MAX_COMPACT_FINDINGS)
    .map((item) => {
      const compact: CompactFinding = {
        code: item.code.slice(0, 80),
        severity: item.severity,
        stage: item.stage,
        message: clip(item.message, 300),
      };
      const location = formatLocation(item.location);
      if (location) compact.location = clip(location, 300);
      return compact;
    });
  const result: ValidationResult = {
    apiVersion: VALIDATION_RESULT_API_VERSION,
    asin: report.asin,
    revision: report.revision,
    sha256,
    verdict: report.verdict,
    stages: report.stages,
    errors: report.counts.errors,
    warnings: report.counts.warnings,
    findings,
    summary: report.summary,
    profiles: report.profiles.map(({ id, met, missed }) => ({ id, met, missed })),
    completedAt: report.completedAt,
    tools: report.tools,
  };
  if (extra.reportUri) result.reportUri = extra.reportUri;
  if (extra.version) result.version = extra.version;
  if (extra.repair) result.repair = extra.repair;
  return result;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
