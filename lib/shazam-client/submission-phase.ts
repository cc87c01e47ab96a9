import type { AssetSubmission } from '../../crds/api.ts';

/** Phases after which a submission does not move without a new revision. */
export const FINAL_PHASES: ReadonlySet<string> = new Set([
  'ValidationFailed',
  'Rejected',
  'Published',
  'Superseded',
  'Failed',
]);

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
