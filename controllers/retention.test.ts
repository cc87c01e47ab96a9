import { describe, expect, it } from 'vitest';
import { versionsToDelete } from './retention.ts';

describe('versionsToDelete', () => {
  it.each([
    // Nothing older than the published version: nothing to delete.
    { stored: [1], published: 1, previous: [], inUse: [], keep: 2, expected: [] },
    // Keep the previous published version as a rollback target; delete the rejected one in between.
    { stored: [1, 2, 3], published: 3, previous: [1], inUse: [], keep: 2, expected: [2] },
    // versionsToKeep 1: only the live version stays.
    { stored: [1, 2, 3], published: 3, previous: [2, 1], inUse: [], keep: 1, expected: [1, 2] },
    // A version a RenderJob is using stays.
    { stored: [1, 2, 3], published: 3, previous: [], inUse: [1], keep: 1, expected: [2] },
    // Newer versions are in flight, never deleted.
    { stored: [1, 2, 3, 4], published: 2, previous: [1], inUse: [], keep: 1, expected: [1] },
  ])(
    'stored $stored, published $published, previous $previous, in use $inUse, keep $keep → $expected',
    (row) => {
      const result = versionsToDelete({
        stored: row.stored,
        published: row.published,
        previous: row.previous,
        inUse: row.inUse,
        versionsToKeep: row.keep,
      });
      expect(result).toEqual(row.expected);
      expect(result).not.toContain(row.published);
    },
  );
});
