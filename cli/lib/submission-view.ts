import type { AssetSubmission, Condition } from '../../crds/api.ts';
import { formatAge } from '../../lib/cli/table.ts';
import { displayedPhase } from '../../lib/shazam-client/submission-phase.ts';

function condition(submission: AssetSubmission, type: string): Condition | undefined {
  return submission.status?.conditions?.find((c) => c.type === type);
}

/** The QA column: the reason of the QAApproved condition (e.g. Approved, Rejected, AwaitingDecision), or `-`. */
export function qaSummary(submission: AssetSubmission): string {
  const qa = condition(submission, 'QAApproved');
  if (!qa) return '-';
  if (qa.status === 'True') return 'Approved';
  return qa.reason ?? (qa.status === 'False' ? 'Rejected' : 'Pending');
}

/** The VALIDATION column: verdict with error and warning counts, e.g. `Passed (0E/2W)`. */
export function validationSummary(submission: AssetSubmission): string {
  const validation = submission.status?.validation;
  if (!validation?.verdict) return '-';
  return `${validation.verdict} (${validation.errors ?? 0}E/${validation.warnings ?? 0}W)`;
}

/** One row of `shazam status`: NAMESPACE?, NAME, ASIN, REV, PHASE, VALIDATION, QA, AGE, MESSAGE. */
export function submissionRow(submission: AssetSubmission, now: Date, withNamespace: boolean): string[] {
  const row = [
    submission.metadata.name,
    submission.spec.asin,
    String(submission.spec.revision),
    displayedPhase(submission),
    validationSummary(submission),
    qaSummary(submission),
    formatAge(submission.metadata.creationTimestamp, now),
    (submission.status?.message ?? '').replace(/\s+/g, ' ').slice(0, 80),
  ];
  return withNamespace ? [submission.metadata.namespace ?? '', ...row] : row;
}

/** Header matching {@link submissionRow}. */
export function submissionHeader(withNamespace: boolean): string[] {
  const header = ['NAME', 'ASIN', 'REV', 'PHASE', 'VALIDATION', 'QA', 'AGE', 'MESSAGE'];
  return withNamespace ? ['NAMESPACE', ...header] : header;
}
