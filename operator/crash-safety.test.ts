import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../controllers/names.ts';
import { parsePublishedPointer } from '../controllers/published-pointer.ts';
import { publishedKey } from '../lib/storage/layout.ts';
import type { OperatorHandle } from './operator.ts';
import { createTestBed, reader, readText, submissionManifest, type TestBed } from './test-support/fixture.ts';
import { flow } from './test-support/flow.ts';

// Jobs are completed by the test (no kubelet); see test-support/job-completion.ts. The operator is stopped
// with in-flight reconciles aborted (drain 0) a few milliseconds after each step, so crashes land at varied
// points: before, during and after the reconcile the step triggers.

describe('crash safety', () => {
  let bed: TestBed;
  let operator: OperatorHandle | undefined;
  beforeAll(async () => {
    bed = await createTestBed('op-crash');
  });
  afterAll(async () => {
    await operator?.stop();
  });

  async function restartAfter(delayMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await operator?.stop(0);
    operator = await bed.start();
    await operator.synced;
  }

  it.each([0, 7, 25])(
    'converges with no duplicate children when killed %i ms after each step',
    async (delayMs) => {
      const name = `desk-${delayMs}`;
      const asin = `B0CRASH${String(delayMs).padStart(3, '0')}`;
      const f = flow(bed, name);
      operator = await bed.start();
      await operator.synced;

      await f.create(submissionManifest(bed, name, asin, 1));
      await restartAfter(delayMs); // 1: around the finalizer and validation Job creation
      await f.completeValidation('Passed');
      await restartAfter(delayMs); // 2: around recording the verdict and creating the candidate RenderJob
      await f.renderJobJob();
      await restartAfter(delayMs); // 3: around the render Job creation and RenderJob status
      await f.completeRender();
      await restartAfter(delayMs); // 4: around the RenderJob outcome and opening the QAReview
      await f.phase('AwaitingQA');
      await f.decide('Approved');
      await restartAfter(delayMs); // 5: around the pointer PUT, retention and Published
      const published = await f.phase('Published');
      await restartAfter(delayMs); // 6: after convergence

      await operator!.idle();
      expect(published.status?.published?.version).toBe(1);
      const read = reader(bed);
      const jobs = await read.jobsOf(name);
      expect(jobs.map((job) => job.metadata.labels?.[LABELS.component]).sort()).toEqual([
        'render',
        'validation',
      ]);
      const renderJobs = (await read.renderJobs()).filter(
        (r) => r.metadata.labels?.[LABELS.submission] === name,
      );
      expect(renderJobs).toHaveLength(1);
      expect(await read.jobs(`${LABELS.renderJob}=${renderJobs[0]!.metadata.name}`)).toHaveLength(1);
      const reviews = (await read.reviews()).filter((r) => r.spec.submissionRef.name === name);
      expect(reviews).toHaveLength(1);
      expect(reviews[0]!.spec.decision).toBe('Approved');
      expect(reviews[0]!.status?.phase).toBe('Approved');
      const pointer = parsePublishedPointer(
        JSON.parse((await readText(bed.s3, bed.assetsBucket, publishedKey(asin)))!),
      );
      expect(pointer.version).toBe(1);

      // A restarted operator finds nothing to write.
      const before = operator!.kube.stats.writes;
      operator!.resyncNow();
      await operator!.idle();
      expect(operator!.kube.stats.writes).toBe(before);
      await operator!.stop();
      operator = undefined;
    },
  );
});
