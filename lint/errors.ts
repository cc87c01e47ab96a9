/** Stable codes of the errors the linter raises (not findings in manifests: those are {@link Violation}s). */
export type LintErrorCode = 'LINT_BAD_CRD' | 'LINT_UNREADABLE';

/** The linter itself could not run: a CRD it needs is malformed or a path cannot be read. */
export class LintError extends Error {
  override name = 'LintError';
  constructor(
    readonly code: LintErrorCode,
    message: string,
  ) {
    super(message);
  }
}
