import type { AssetSubmission, Condition } from './resources.ts';
import { formatAge } from './table.ts';

/** Phases after which a submission does not move without a new revision. */
export const FINAL_PHASES: ReadonlySet<string> = new Set([
  'ValidationFailed',
  'Rejected',
  'Published',
  'Superseded',
  'Failed',
]);

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

/** Whether the status was written for the current spec, so its phase describes this revision. */
export function isStatusFresh(submission: AssetSubmission): boolean {
  const generation = submission.metadata.generation;
  return generation === undefined || submission.status?.observedGeneration === generation;
}

/** The phase shown to people: the status phase once it describes the current spec, else `Pending`. */
export function displayedPhase(submission: AssetSubmission): string {
  if (!isStatusFresh(submission)) return 'Pending';
  return submission.status?.phase ?? 'Pending';
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
