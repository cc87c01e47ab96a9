/**
 * Stable error codes raised by the Kubernetes runtime library. They are meant for logs, metric labels and
 * condition reasons, so they never change once published.
 */
export type KubeErrorCode =
  | 'KUBE_CONFIG_INVALID'
  | 'KUBE_CONFIG_NOT_FOUND'
  | 'KUBE_API_ERROR'
  | 'KUBE_NOT_FOUND'
  | 'KUBE_CONFLICT'
  | 'KUBE_GONE'
  | 'KUBE_UNREACHABLE'
  | 'KUBE_INVALID_RESPONSE'
  | 'KUBE_QUEUE_SHUT_DOWN'
  | 'KUBE_WRITE_FENCED';

/** An error from the Kubernetes runtime library, with a stable {@link KubeErrorCode}. */
export class KubeError extends Error {
  override name = 'KubeError';
  /** Stable code for logs and metrics. */
  readonly code: KubeErrorCode;
  /** HTTP status of the apiserver's answer, when there was one. */
  readonly statusCode: number | undefined;
  /** The apiserver's `Status.reason` (`NotFound`, `Conflict`, `Expired`, …), when it sent one. */
  readonly reason: string | undefined;
  /** The `Status.details.causes` the apiserver listed (`field: message`), empty when none. */
  readonly causes: string[];

  constructor(
    code: KubeErrorCode,
    message: string,
    options: { statusCode?: number; reason?: string; causes?: string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = options.statusCode;
    this.reason = options.reason;
    this.causes = options.causes ?? [];
  }
}

/** Maps an apiserver HTTP status to the library's code. */
export function codeForStatus(statusCode: number): KubeErrorCode {
  if (statusCode === 404) return 'KUBE_NOT_FOUND';
  if (statusCode === 409) return 'KUBE_CONFLICT';
  if (statusCode === 410) return 'KUBE_GONE';
  return 'KUBE_API_ERROR';
}

/** True when `error` is an apiserver 404. */
export function isNotFound(error: unknown): boolean {
  return error instanceof KubeError && error.code === 'KUBE_NOT_FOUND';
}

/** True when `error` is an apiserver 409 (an optimistic-concurrency conflict or an existing object). */
export function isConflict(error: unknown): boolean {
  return error instanceof KubeError && error.code === 'KUBE_CONFLICT';
}

/** True when `error` is a 409 because the object already exists (`reason: AlreadyExists`). */
export function isAlreadyExists(error: unknown): boolean {
  return isConflict(error) && (error as KubeError).reason === 'AlreadyExists';
}

/** True when `error` is a 410 Gone: the resourceVersion asked for is older than etcd keeps. */
export function isGone(error: unknown): boolean {
  return error instanceof KubeError && error.code === 'KUBE_GONE';
}

/**
 * True when a JSON Patch `test` op failed. The apiserver answers that with a 422 `Invalid` that lists no
 * causes, while a patched object failing validation is a 422 that names the offending fields.
 */
export function isPatchTestFailed(error: unknown): boolean {
  return (
    error instanceof KubeError &&
    error.statusCode === 422 &&
    error.reason === 'Invalid' &&
    error.causes.length === 0
  );
}
