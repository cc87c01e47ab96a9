/**
 * The pure status function of the AssetSubmission controller: the status an {@link Assessment} leads to,
 * with conditions merged so `lastTransitionTime` only moves on a flip.
 */
import { setConditions, withFailedCondition } from '../../lib/kube/status.ts';
import type { AssetSubmission, AssetSubmissionStatus } from '../resources.ts';
import type { Assessment } from './plan.ts';

/** Phases a revision never leaves: only a new revision (a new generation) starts over. */
const TERMINAL_FAILURES: ReadonlySet<string> = new Set(['ValidationFailed', 'Rejected', 'Failed']);

/**
 * The status to write for `submission` once the assessed actions succeeded. Fields the assessment leaves
 * undefined are absent, so a stale value (an old rejection, an old child name) never lingers.
 */
export function computeSubmissionStatus(
  submission: AssetSubmission,
  assessment: Assessment,
  now: string,
): AssetSubmissionStatus {
  const generation = submission.metadata.generation ?? 0;
  const failure = TERMINAL_FAILURES.has(assessment.phase)
    ? {
        reason: assessment.conditions.find((c) => c.type === 'Ready')?.reason ?? assessment.phase,
        message: assessment.message.slice(0, 4096),
      }
    : undefined;
  const status: AssetSubmissionStatus = {
    observedGeneration: generation,
    phase: assessment.phase,
    message: assessment.message.slice(0, 4096),
    conditions: setConditions(
      submission.status?.conditions,
      withFailedCondition(assessment.conditions, failure),
      generation,
      now,
    ),
  };
  if (assessment.validation) status.validation = assessment.validation;
  if (assessment.version !== undefined) status.version = assessment.version;
  if (Object.keys(assessment.children).length > 0) status.children = assessment.children;
  if (assessment.rejection) status.rejection = assessment.rejection;
  if (assessment.published) status.published = assessment.published;
  if (assessment.liveVersion !== undefined) status.liveVersion = assessment.liveVersion;
  return status;
}
