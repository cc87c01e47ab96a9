/**
 * Which stored versions of an asset retention may delete. Pure: the caller lists the versions and says
 * which are published and in use.
 */

/** What retention decides from. */
export interface RetentionInput {
  /** Every revision with a folder under `assets/<ASIN>/versions/`. */
  stored: readonly number[];
  /** The live revision. */
  published: number;
  /** Revisions published before, most recent first (from the pointer). */
  previous: readonly number[];
  /** Revisions a RenderJob reads or writes. */
  inUse: readonly number[];
  /** How many published versions to keep, the live one included (≥ 1). */
  versionsToKeep: number;
}

/**
 * The revisions to delete: only versions older than the published one (newer ones are in flight), never the
 * published one, never one in use, never one of the `versionsToKeep - 1` most recently published before it.
 *
 * Guarantees: the result never contains `published`, any of `inUse`, or anything newer than `published`.
 */
export function versionsToDelete(input: RetentionInput): number[] {
  const keep = new Set<number>([input.published, ...input.inUse]);
  for (const version of input.previous.slice(0, Math.max(0, input.versionsToKeep - 1))) keep.add(version);
  return [...new Set(input.stored)]
    .filter((version) => version < input.published && !keep.has(version))
    .sort((a, b) => a - b);
}
