import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../controllers/names.ts';
import type { OperatorHandle } from './operator.ts';
import { createTestBed, reader, submissionManifest, type TestBed, waitFor } from './test-support/fixture.ts';
import { flow } from './test-support/flow.ts';

describe('retention of superseded revisions’ objects (real apiserver)', () => {
  let bed: TestBed;
  let operator: OperatorHandle;

  beforeAll(async () => {
    bed = await createTestBed('op-prune');
    operator = await bed.start({
      retention: { ...bed.config.retention, supersededRevisionsKept: 0 },
    });
    await operator.synced;
  });
  afterAll(async () => {
    await operator?.stop();
  });

  it('deletes the QAReview and RenderJob of a revision once a newer one is Published', async () => {
    const asin = 'B0PRUNE001';
    const f = flow(bed, 'sofa');
    await f.create(submissionManifest(bed, 'sofa', asin, 1));
    await f.completeValidation('Passed');
    await f.completeRender();
    await f.decide('Approved');
    await f.phase('Published');
    const read = reader(bed);
    const revisions = async () => ({
      reviews: (await read.reviews()).map((r) => r.metadata.labels?.[LABELS.revision]).sort(),
      renderJobs: (await read.renderJobs()).map((r) => r.metadata.labels?.[LABELS.revision]).sort(),
    });
    expect(await revisions()).toEqual({ reviews: ['1'], renderJobs: ['1'] });

    // Revision 2 in flight: revision 1 is still live, its objects stay.
    await f.bumpRevision(2, 'd'.repeat(64), asin);
    await f.completeValidation('Passed', 2);
    await f.renderJob(2);
    expect((await revisions()).renderJobs).toEqual(['1', '2']);
    await f.completeRender(2);
    await f.phase('AwaitingQA');
    expect((await revisions()).renderJobs).toEqual(['1', '2']);
    await f.decide('Approved', 2);
    const published = await f.phase('Published');
    expect(published.status?.published?.version).toBe(2);

    await waitFor('the revision 1 objects to go', async () => {
      const now = await revisions();
      return now.reviews.join() === '2' && now.renderJobs.join() === '2' ? now : undefined;
    });
    // Converged: nothing more to delete, no further writes.
    await operator.idle();
    const before = operator.kube.stats.writes;
    operator.resyncNow();
    await operator.idle();
    expect(operator.kube.stats.writes).toBe(before);
  });
});
