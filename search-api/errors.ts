/**
 * The search API's errors: each has a stable code (in logs, metrics and response bodies) and the HTTP status
 * it answers with. Messages name the problem and the fix, for the storefront developer who reads them.
 */

/** Stable error codes of the search API. */
export type SearchApiErrorCode =
  | 'SHAZAM_SEARCH_CONFIG_INVALID'
  | 'SHAZAM_SEARCH_BAD_REQUEST'
  | 'SHAZAM_SEARCH_BAD_MULTIPART'
  | 'SHAZAM_SEARCH_ASSET_NOT_FOUND'
  | 'SHAZAM_SEARCH_BAD_CURSOR'
  | 'SHAZAM_SEARCH_IMAGE_MISSING'
  | 'SHAZAM_SEARCH_IMAGE_UNSUPPORTED'
  | 'SHAZAM_SEARCH_IMAGE_TOO_LARGE'
  | 'SHAZAM_SEARCH_IMAGE_TOO_MANY_PIXELS'
  | 'SHAZAM_SEARCH_IMAGE_CORRUPT'
  | 'SHAZAM_SEARCH_NOT_READY';

/** An error the search API answers with its own status and code. */
export class SearchApiError extends Error {
  override name = 'SearchApiError';

  constructor(
    readonly code: SearchApiErrorCode,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}
