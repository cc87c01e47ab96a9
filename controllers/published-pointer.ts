/**
 * `assets/<ASIN>/published.json`: the pointer to the live version of an asset, written last and in one PUT
 * by promotion. It remembers the versions published before, so retention keeps rollback targets.
 */
import { Ajv } from 'ajv';

/** `apiVersion` of the pointer document. */
export const PUBLISHED_POINTER_API_VERSION = 'shazam.dev/published/v1';

/** The published pointer. */
export interface PublishedPointer {
  apiVersion: typeof PUBLISHED_POINTER_API_VERSION;
  asin: string;
  /** The live revision. */
  version: number;
  /** Key prefix of the live version, `assets/<ASIN>/versions/<version>/`. */
  prefix: string;
  /** RFC 3339 time of the promotion. */
  publishedAt: string;
  /** The submission that promoted it. */
  submission: { namespace: string; name: string };
  /** Versions published before this one, most recent first (at most 20). */
  previous: number[];
}

/** Most earlier versions a pointer remembers. */
export const MAX_PREVIOUS = 20;

const SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'asin', 'version', 'prefix', 'publishedAt', 'submission', 'previous'],
  properties: {
    apiVersion: { const: PUBLISHED_POINTER_API_VERSION },
    asin: { type: 'string', pattern: '^[A-Z0-9]{10}$' },
    version: { type: 'integer', minimum: 1 },
    prefix: { type: 'string' },
    publishedAt: { type: 'string' },
    submission: {
      type: 'object',
      required: ['namespace', 'name'],
      properties: { namespace: { type: 'string' }, name: { type: 'string' } },
    },
    previous: { type: 'array', items: { type: 'integer', minimum: 1 }, maxItems: MAX_PREVIOUS },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: false }).compile(SCHEMA);

/** Thrown by {@link parsePublishedPointer}; `code` is stable. */
export class PublishedPointerError extends Error {
  override name = 'PublishedPointerError';
  readonly code = 'PUBLISHED_POINTER_INVALID';
}

/** Checks parsed JSON against the pointer's schema; throws {@link PublishedPointerError} naming the problems. */
export function parsePublishedPointer(value: unknown): PublishedPointer {
  if (validate(value)) return value as unknown as PublishedPointer;
  const problems = (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
  );
  throw new PublishedPointerError(
    `published.json is not a ${PUBLISHED_POINTER_API_VERSION} pointer: ${problems.join('; ')}. ` +
      'It is written only by the operator; restore it from the previous promotion or delete it to re-promote.',
  );
}

/**
 * The pointer that promotes `version`, carrying the current pointer's version into `previous`.
 *
 * @example
 * ```ts
 * nextPointer(current, { asin, version: 3, prefix, publishedAt, submission }).previous // [2, 1]
 * ```
 */
export function nextPointer(
  current: PublishedPointer | undefined,
  next: Omit<PublishedPointer, 'apiVersion' | 'previous'>,
): PublishedPointer {
  const previous = current
    ? [current.version, ...current.previous].filter((v, i, all) => v !== next.version && all.indexOf(v) === i)
    : [];
  return { apiVersion: PUBLISHED_POINTER_API_VERSION, ...next, previous: previous.slice(0, MAX_PREVIOUS) };
}
