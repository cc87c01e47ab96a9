/**
 * Stable codes of the errors the client library raises for the artist's and reviewer's tools (`shazam`
 * commands, the demo's QA page). The `SHAZAM_CLI_` prefix is part of the published codes.
 */
export const CLIENT_ERROR_CODES = {
  /** The delivery folder is missing, empty or holds something that cannot go into a ZIP. */
  deliveryInvalid: 'SHAZAM_CLI_DELIVERY_INVALID',
  /** `manifest.yaml` of a delivery is not valid YAML or misses a field. */
  manifestInvalid: 'SHAZAM_CLI_MANIFEST_INVALID',
  /** An upload would overwrite a different delivery already stored under the same revision. */
  uploadConflict: 'SHAZAM_CLI_UPLOAD_CONFLICT',
  /** A GitOps manifest already in the repository folder cannot be read or updated. */
  gitopsInvalid: 'SHAZAM_CLI_GITOPS_INVALID',
  /** A QA decision misses what the schema requires (reviewer; comments to reject). */
  decisionInvalid: 'SHAZAM_CLI_DECISION_INVALID',
  /** The named QAReview or AssetSubmission does not exist. */
  notFound: 'SHAZAM_CLI_NOT_FOUND',
  /** The QAReview was already decided; decisions are final. */
  alreadyDecided: 'SHAZAM_CLI_ALREADY_DECIDED',
  /** The QAReview is orphaned: its submission is gone or has moved past it, so a decision would do nothing. */
  reviewOrphaned: 'SHAZAM_CLI_REVIEW_ORPHANED',
  /** RBAC does not allow the caller this request. */
  forbidden: 'SHAZAM_CLI_FORBIDDEN',
  /** The Kubernetes API refused the request (validation, conflict). */
  apiRefused: 'SHAZAM_CLI_API_REFUSED',
  /** A submission settled in a final phase other than the one waited for. */
  unexpectedPhase: 'SHAZAM_CLI_UNEXPECTED_PHASE',
  /** A wait ran past its timeout. */
  timeout: 'SHAZAM_CLI_TIMEOUT',
} as const;

/** One of {@link CLIENT_ERROR_CODES}. */
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[keyof typeof CLIENT_ERROR_CODES];

/** An expected failure a tool reports to its user as one line (`code: message`); commands exit 1 on it. */
export class ClientError extends Error {
  override name = 'ClientError';

  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}
