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

/** Kubernetes object names used as label values (Job names) must stay within 63 characters. */
const MAX_NAME = 63;

/**
 * `<base>-<suffix>`, shortened to 63 characters with a stable hash of the full name when too long, so two
 * long parents never collide and the same parent always gets the same name.
 */
export function childName(base: string, suffix: string): string {
  const full = `${base}-${suffix}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  const room = MAX_NAME - suffix.length - hash.length - 2;
  return `${base.slice(0, room).replace(/-+$/, '')}-${hash}-${suffix}`;
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

/** Name of the RenderJob the operator creates for a submission's promoted revision. */
export function renderJobName(submission: AssetSubmission): string {
  return childName(submission.metadata.name, `r${submission.spec.revision}`);
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
    [LABELS.submission]: submission.metadata.name,
    [LABELS.asin]: submission.spec.asin,
    [LABELS.revision]: String(submission.spec.revision),
  };
}

/** True when `owner` is the controller owner of `child`. */
export function isOwnedBy(child: { metadata: ObjectMeta }, owner: { metadata: ObjectMeta }): boolean {
  return (child.metadata.ownerReferences ?? []).some(
    (reference) => reference.controller === true && reference.uid === owner.metadata.uid,
  );
}
