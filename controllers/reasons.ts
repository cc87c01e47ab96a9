/**
 * Every condition reason, event reason and stable error code the controllers use, in one place so that
 * dashboards, alerts and docs can rely on them. CamelCase as the Kubernetes API conventions ask.
 */

/** Reasons on AssetSubmission conditions and events. */
export const SubmissionReason = {
  AsinOwnedElsewhere: 'AsinOwnedElsewhere',
  AwaitingDelivery: 'AwaitingDelivery',
  DeliveryNotFound: 'DeliveryNotFound',
  ValidationPending: 'ValidationPending',
  ValidationRunning: 'ValidationRunning',
  ValidationPassed: 'ValidationPassed',
  RepairedCandidatePassed: 'RepairedCandidatePassed',
  ValidationFailed: 'ValidationFailed',
  ValidationJobFailed: 'ValidationJobFailed',
  ValidationResultMissing: 'ValidationResultMissing',
  ValidationResultInvalid: 'ValidationResultInvalid',
  AwaitingValidation: 'AwaitingValidation',
  AwaitingReview: 'AwaitingReview',
  Approved: 'Approved',
  Rejected: 'Rejected',
  AwaitingApproval: 'AwaitingApproval',
  VersionIncomplete: 'VersionIncomplete',
  Promoted: 'Promoted',
  AwaitingRender: 'AwaitingRender',
  RenderPending: 'RenderPending',
  Rendering: 'Rendering',
  Rendered: 'Rendered',
  RenderFailed: 'RenderFailed',
  Published: 'Published',
  Superseded: 'Superseded',
} as const;

/** Reasons on QAReview conditions and events. */
export const ReviewReason = {
  AwaitingDecision: 'AwaitingDecision',
  Approved: 'Approved',
  Rejected: 'Rejected',
  SubmissionMissing: 'SubmissionMissing',
  RevisionMoved: 'RevisionMoved',
  DecidedElsewhere: 'DecidedElsewhere',
  DecisionIgnored: 'DecisionIgnored',
} as const;

/** Reasons on RenderJob conditions and events. */
export const RenderReason = {
  JobCreated: 'JobCreated',
  /** Complete: the Job's pod waits for a node that takes it (the Scheduled condition says why). */
  WaitingForNode: 'WaitingForNode',
  /** Scheduled: the pod is bound to a node. */
  Scheduled: 'Scheduled',
  Running: 'Running',
  Succeeded: 'Succeeded',
  JobFailed: 'JobFailed',
  ManifestMissing: 'ManifestMissing',
  ManifestInvalid: 'ManifestInvalid',
  /** FillCompliant: every frame fills what the preset requires. */
  FillMet: 'FillMet',
  /** FillCompliant: some frames fill less than the preset requires. */
  FramesUnderFill: 'FramesUnderFill',
} as const;

/** Event reasons that are not phases. */
export const EventReason = {
  Promoted: 'Promoted',
  RetentionApplied: 'RetentionApplied',
  CleanedUp: 'CleanedUp',
} as const;

/** Stable codes of the errors controllers raise (logs, metric labels). */
export type ControllerErrorCode = 'CONTROLLER_STORAGE_ERROR' | 'CONTROLLER_INVALID_OBJECT';

/** An error raised by a controller, with a stable code for logs and metrics. */
export class ControllerError extends Error {
  override name = 'ControllerError';
  readonly code: ControllerErrorCode;

  constructor(code: ControllerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
