/**
 * Pure helpers that turn validation results and storage keys into what a submission's status shows.
 */
import type { ValidationResult } from '../../lib/contracts/validation-result.ts';
import type { ControllerConfig } from '../context.ts';
import type { AssetSubmissionStatus, StatusFinding } from '../resources.ts';

const SEVERITY = { error: 'Error', warning: 'Warning', info: 'Info' } as const;
const STATUS_STAGES = new Set(['cleanup', 'uv', 'texturing']);

/** The status form of a compact validation result. */
export function validationStatus(
  result: ValidationResult,
  resultUri: string,
): NonNullable<AssetSubmissionStatus['validation']> {
  return {
    verdict: result.verdict,
    stages: { ...result.stages },
    errors: result.errors,
    warnings: result.warnings,
    findings: result.findings.map((finding) => {
      const out: StatusFinding = {
        severity: SEVERITY[finding.severity],
        code: finding.code.slice(0, 128),
        message: finding.message,
      };
      if (STATUS_STAGES.has(finding.stage)) out.stage = finding.stage as StatusFinding['stage'];
      if (finding.location) out.pointer = finding.location.slice(0, 512);
      return out;
    }),
    reportUri: result.reportUri ?? resultUri,
    completedAt: result.completedAt,
    ...(result.repair
      ? {
          repair: {
            sourceErrors: result.repair.source.codes,
            sourceReportUri: result.repair.source.reportUri,
            changes: result.repair.changes,
            provenanceUri: result.repair.provenanceUri,
          },
        }
      : {}),
  };
}

/** The public URL of an assets-bucket key. */
export function publicUrl(config: ControllerConfig, key: string): string {
  return `${config.s3.publicBaseUrl.replace(/\/+$/, '')}/${key}`;
}

/** The counts and the first error of a verdict, for a message: `2 error(s), 0 warning(s); first: CODE: text`. */
export function firstError(validation: NonNullable<AssetSubmissionStatus['validation']>): string {
  const findings = validation.findings ?? [];
  const finding = findings.find((f) => f.severity === 'Error') ?? findings[0];
  const count = `${validation.errors} error(s), ${validation.warnings} warning(s)`;
  return finding ? `${count}; first: ${finding.code}: ${finding.message}` : count;
}

/**
 * `text` as one sentence ending in exactly one full stop, whatever punctuation a quoted message (a finding,
 * a Job condition) brought along: `"No TEXCOORD_0."` and `"No TEXCOORD_0"` both become `"No TEXCOORD_0."`.
 */
export function sentence(text: string): string {
  const trimmed = text.trim().replace(/[.\s]+$/, '');
  return /[!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
