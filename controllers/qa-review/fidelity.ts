/**
 * The reference-photo fidelity a QAReview shows: the candidate render's `fidelity.json` (written by the
 * render Job), read once per render and copied into `status.fidelity`. A report that is missing or not
 * valid becomes a fidelity with an `error` QA can read, never a failed reconcile.
 */
import type { ReferenceFidelity } from '../../crds/api.ts';
import { FIDELITY_FILE, parseFidelityReport } from '../../lib/contracts/fidelity-report.ts';
import { parseS3Uri } from '../../lib/storage/s3-uri.ts';
import type { Context } from '../context.ts';
import type { QAReview } from '../resources.ts';
import { readJson } from '../storage.ts';

/** The render prefix a `fidelity.json` URI belongs to (`s3://…/renders/`). */
export function renderPrefixOf(fidelityUri: string): string {
  return fidelityUri.endsWith(FIDELITY_FILE) ? fidelityUri.slice(0, -FIDELITY_FILE.length) : fidelityUri;
}

/** True when the review still needs the fidelity of the render at `fidelityUri`. Pure. */
export function needsFidelity(review: QAReview, fidelityUri: string | undefined): fidelityUri is string {
  if (fidelityUri === undefined) return false;
  return review.status?.fidelity?.renderPrefix !== renderPrefixOf(fidelityUri);
}

/** What the review shows for a report document read from `fidelityUri` (undefined: no such object). Pure. */
export function fidelityFromReport(value: unknown, fidelityUri: string, now: string): ReferenceFidelity {
  const renderPrefix = renderPrefixOf(fidelityUri);
  if (value === undefined) {
    return {
      computedAt: now,
      renderPrefix,
      references: [],
      error: `The render wrote no ${fidelityUri}; delete its RenderJob to render and compare again.`,
    };
  }
  try {
    return { ...parseFidelityReport(value, fidelityUri).fidelity, renderPrefix };
  } catch (error) {
    return { computedAt: now, renderPrefix, references: [], error: (error as Error).message.slice(0, 1024) };
  }
}

/**
 * Reads the fidelity of the render at `fidelityUri` when the review does not show it yet; undefined when it
 * already does. Storage failures are thrown (the reconcile backs off and retries).
 */
export async function readFidelity(
  ctx: Context,
  review: QAReview,
  fidelityUri: string | undefined,
  now: string,
): Promise<ReferenceFidelity | undefined> {
  if (!needsFidelity(review, fidelityUri)) return undefined;
  const { bucket, key } = parseS3Uri(fidelityUri);
  return fidelityFromReport(await readJson(ctx.s3, bucket, key), fidelityUri, now);
}
