/**
 * Deterministic names, labels and owner references of the children the operator creates, so that a
 * restarted operator finds what it already made instead of making it twice.
 */
import { createHash } from 'node:crypto';
import type { AssetSubmission, ObjectMeta, OwnerReference, RenderJob } from './resources.ts';

/** Finalizer the operator puts on submissions to clean up unpublished data on deletion. */
export const SUBMISSION_FINALIZER = 'pipeline.shazam.dev/cleanup';

/** Label keys set on every child. */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  submission: 'pipeline.shazam.dev/submission',
  asin: 'pipeline.shazam.dev/asin',
  revision: 'pipeline.shazam.dev/revision',
  renderJob: 'pipeline.shazam.dev/renderjob',
} as const;

/** The `app.kubernetes.io/managed-by` value of every child; informers select Jobs by it. */
export const MANAGED_BY = 'shazam-operator';

/** Argo CD's tracking label: never put on a child, or Argo CD prunes it as not in git. */
export const ARGO_TRACKING_LABEL = 'app.kubernetes.io/instance';

/**
 * The longest child name and label value: a Job's name becomes its pods' `batch.kubernetes.io/job-name`
 * label, and label values stop at 63 characters.
 */
export const MAX_LABEL_VALUE = 63;

/** A valid label value: empty, or alphanumeric at both ends with `-`, `_` and `.` between. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** `text` cut to `room` characters, ending on an alphanumeric (a DNS label and a label value both must). */
function cut(text: string, room: number): string {
  return text.slice(0, Math.max(0, room)).replace(/[^A-Za-z0-9]+$/, '');
}

/**
 * `<base>-<suffix>`, shortened to 63 characters with a stable hash of the full name when too long, so two
 * long parents never collide and the same parent always gets the same name.
 */
export function childName(base: string, suffix: string): string {
  const full = `${base}-${suffix}`;
  if (full.length <= MAX_LABEL_VALUE) return full;
  const room = MAX_LABEL_VALUE - suffix.length - 8 - 2;
  const head = cut(base, room);
  return head ? `${head}-${shortHash(full)}-${suffix}` : `${shortHash(full)}-${suffix}`;
}

/**
 * `value` as a label value: itself when it is one (at most 63 characters, alphanumeric at both ends),
 * else its first characters and a stable hash of the whole, so a 253-character object name still labels
 * its children and two long names never share a value.
 */
export function labelValue(value: string): string {
  if (value.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(value)) return value;
  const head = cut(value.replace(/[^-A-Za-z0-9_.]/g, '-').replace(/^[^A-Za-z0-9]+/, ''), 63 - 9);
  return head ? `${head}-${shortHash(value)}` : shortHash(value);
}

/** Name of the validation Job of a submission's current revision and delivery. */
export function validationJobName(submission: AssetSubmission): string {
  const sha = submission.spec.delivery.sha256.slice(0, 8);
  return childName(submission.metadata.name, `r${submission.spec.revision}-validate-${sha}`);
}

/** Name of the QAReview the operator opens for a submission's current revision. */
export function qaReviewName(submission: AssetSubmission): string {
  return childName(submission.metadata.name, `r${submission.spec.revision}`);
}

/** Name of the RenderJob the operator creates for a submission's candidate (its current revision). */
export function renderJobName(submission: AssetSubmission): string {
  return renderJobNameOf(submission.metadata.name, submission.spec.revision);
}

/** Name of the RenderJob of revision `revision` of the submission named `submissionName`. */
export function renderJobNameOf(submissionName: string, revision: number): string {
  return childName(submissionName, `r${revision}`);
}

/** Name of the render Job of a RenderJob's generation. */
export function renderJobJobName(renderJob: RenderJob): string {
  return childName(renderJob.metadata.name, `render-${renderJob.metadata.generation ?? 1}`);
}

/** A controller owner reference to `owner`, so children are garbage-collected with it. */
export function controllerReference(owner: {
  apiVersion: string;
  kind: string;
  metadata: Pick<ObjectMeta, 'name' | 'uid'>;
}): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The labels of a child of `submission`. */
export function submissionChildLabels(
  submission: AssetSubmission,
  component: string,
): Record<string, string> {
  return {
    [LABELS.name]: 'shazam',
    [LABELS.component]: component,
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.submission]: labelValue(submission.metadata.name),
    [LABELS.asin]: labelValue(submission.spec.asin),
    [LABELS.revision]: String(submission.spec.revision),
  };
}

/** True when `owner` is the controller owner of `child`. */
export function isOwnedBy(child: { metadata: ObjectMeta }, owner: { metadata: ObjectMeta }): boolean {
  return (child.metadata.ownerReferences ?? []).some(
    (reference) => reference.controller === true && reference.uid === owner.metadata.uid,
  );
}
