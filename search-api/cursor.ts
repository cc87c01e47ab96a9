/**
 * Opaque pagination cursors for text search. A cursor carries the offset of the next page and a fingerprint
 * of the query, so a cursor cannot be replayed against another query by mistake.
 */
import { createHash } from 'node:crypto';
import { tokenize } from './catalog/tokenize.ts';
import { SearchApiError } from './errors.ts';

/** Deepest result a cursor may point at: pages beyond it cost more than any shopper scrolls. */
export const MAX_CURSOR_OFFSET = 1000;

function fingerprint(query: string): string {
  return createHash('sha256').update(tokenize(query).join(' ')).digest('base64url').slice(0, 12);
}

/** The cursor of the page that starts at `offset`. */
export function encodeCursor(query: string, offset: number): string {
  return Buffer.from(JSON.stringify({ v: 1, o: offset, q: fingerprint(query) })).toString('base64url');
}

/**
 * The offset a cursor points at. Throws a 400 {@link SearchApiError} for a cursor this API did not issue or
 * one issued for another query.
 */
export function decodeCursor(query: string, cursor: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const body = parsed as { v?: unknown; o?: unknown; q?: unknown } | undefined;
  if (
    body?.v !== 1 ||
    typeof body.o !== 'number' ||
    !Number.isInteger(body.o) ||
    body.o < 0 ||
    body.o > MAX_CURSOR_OFFSET ||
    typeof body.q !== 'string'
  ) {
    throw new SearchApiError(
      'SHAZAM_SEARCH_BAD_CURSOR',
      400,
      'cursor is not one this API issued; pass the nextCursor of the previous page unchanged, or omit it',
    );
  }
  if (body.q !== fingerprint(query)) {
    throw new SearchApiError(
      'SHAZAM_SEARCH_BAD_CURSOR',
      400,
      'cursor belongs to a different query; repeat the q of the page that returned it, or omit cursor to start over',
    );
  }
  return body.o;
}
