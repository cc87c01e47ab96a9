/**
 * Why a render failed, as a stable code used in logs, the Job's exit status and the RenderJob's condition.
 * Each code maps to one exit status so a Job's failure reason can be read from `kubectl get pods` alone.
 */
export const RENDER_ERROR_CODES = {
  /** Bad options or arguments. */
  SHAZAM_RENDER_INVALID_OPTIONS: 2,
  /** The GLB does not exist (local path or S3 object). */
  SHAZAM_RENDER_SOURCE_NOT_FOUND: 3,
  /** The GLB cannot be parsed. */
  SHAZAM_RENDER_SOURCE_INVALID: 4,
  /** The GLB requires a glTF extension the renderer does not implement. */
  SHAZAM_RENDER_UNSUPPORTED_EXTENSION: 5,
  /** No WebGPU adapter, or only a software one while a GPU was required. */
  SHAZAM_RENDER_GPU_UNAVAILABLE: 6,
  /** The GPU or the process ran out of memory. */
  SHAZAM_RENDER_OUT_OF_MEMORY: 7,
  /** The GPU device was lost or reported a validation error mid-render. */
  SHAZAM_RENDER_DEVICE_FAILED: 8,
  /** Writing an output (file or S3 object) failed. */
  SHAZAM_RENDER_OUTPUT_FAILED: 9,
  /** S3 refused to read the GLB (403, no credentials): the Job's ServiceAccount or the bucket policy. */
  SHAZAM_RENDER_SOURCE_DENIED: 10,
  /** S3 could not be reached, or failed, while reading the GLB (network, DNS, 5xx): retrying may help. */
  SHAZAM_RENDER_STORAGE_UNAVAILABLE: 11,
} as const;

/** One of {@link RENDER_ERROR_CODES}. */
export type RenderErrorCode = keyof typeof RENDER_ERROR_CODES;

/**
 * The one error type of the renderer. `message` names the problem and the fix; `code` is stable.
 *
 * @example
 * ```ts
 * throw new RenderError('SHAZAM_RENDER_SOURCE_NOT_FOUND', 'model.glb does not exist: check --source');
 * ```
 */
export class RenderError extends Error {
  override name = 'RenderError';
  /** Stable code, see {@link RENDER_ERROR_CODES}. */
  readonly code: RenderErrorCode;

  constructor(code: RenderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The process exit status for this error. */
  get exitCode(): number {
    return RENDER_ERROR_CODES[this.code];
  }
}
