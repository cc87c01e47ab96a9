import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAKES_OVER_ANNOTATION } from '../controllers/asset-submission/ownership.ts';
import { parsePublishedPointer } from '../controllers/published-pointer.ts';
import { RESOURCES } from '../controllers/resources.ts';
import { publishedKey, versionKeys, versionPrefix } from '../lib/storage/layout.ts';
import type { OperatorHandle } from './operator.ts';
import {
  createTestBed,
  listWithEtags,
  readText,
  submissionManifest,
  type TestBed,
  waitFor,
} from './test-support/fixture.ts';
import { flow } from './test-support/flow.ts';

// Jobs are completed by the test (no kubelet); see test-support/job-completion.ts.

describe('rejection loop', () => {
  let bed: TestBed;
  let operator: OperatorHandle;
  beforeAll(async () => {
    bed = await createTestBed('op-reject');
    operator = await bed.start();
    await operator.synced;
  });
  afterAll(async () => {
    await operator?.stop();
  });

  it('records a rejection, publishes the next revision, and leaves the earlier published version untouched', async () => {
    const asin = 'B0REJECT01';
    const f = flow(bed, 'lamp');
    await f.create(submissionManifest(bed, 'lamp', asin, 1));
    await f.completeValidation('Passed');
    await f.completeRender();
    await f.decide('Approved');
    await f.phase('Published');
    const rev1 = await listWithEtags(bed.s3, bed.assetsBucket, versionPrefix(asin, 1));
    const pointer1 = await readText(bed.s3, bed.assetsBucket, publishedKey(asin));
    expect(Object.keys(rev1).length).toBeGreaterThan(5);

    // Revision 2 is rejected by QA.
    await f.bumpRevision(2, 'b'.repeat(64), asin);
    await f.completeValidation('Passed', 2);
    await f.completeRender(2);
    await f.phase('AwaitingQA');
    // QA reviews the candidate's own turntable, stored under its version.
    const rendersOf2 = Object.keys(
      await listWithEtags(bed.s3, bed.assetsBucket, versionKeys(asin, 2).rendersPrefix),
    );
    expect(rendersOf2).toContain(versionKeys(asin, 2).renderManifest);
    await f.decide('Rejected', 2);
    const rejected = await f.phase('Rejected');
    expect(rejected.status?.rejection).toMatchObject({
      reviewer: 'qa-lee',
      comments: 'The handle is mirrored.',
      findings: [{ area: 'geometry', message: 'mirrored handle' }],
    });
    expect(rejected.status?.conditions?.find((c) => c.type === 'QAApproved')).toMatchObject({
      status: 'False',
      reason: 'Rejected',
    });
    expect(rejected.status?.published?.version).toBe(1);
    expect(await readText(bed.s3, bed.assetsBucket, publishedKey(asin))).toBe(pointer1);
    expect(await listWithEtags(bed.s3, bed.assetsBucket, versionPrefix(asin, 1))).toEqual(rev1);

    // Revision 3 fixes it and is published; revision 1 stays as the rollback target, 2 is removed.
    await f.bumpRevision(3, 'c'.repeat(64), asin);
    await f.completeValidation('Passed', 3);
    await f.completeRender(3);
    await f.phase('AwaitingQA');
    expect(await listWithEtags(bed.s3, bed.assetsBucket, versionPrefix(asin, 1))).toEqual(rev1);
    await f.decide('Approved', 3);
    const published = await f.phase('Published');
    expect(published.status?.published?.version).toBe(3);
    expect(published.status?.rejection).toBeUndefined();
    const pointer3 = parsePublishedPointer(
      JSON.parse((await readText(bed.s3, bed.assetsBucket, publishedKey(asin)))!),
    );
    expect(pointer3).toMatchObject({ version: 3, previous: [1] });
    expect(await listWithEtags(bed.s3, bed.assetsBucket, versionPrefix(asin, 1))).toEqual(rev1);
    // The rejected candidate's renders went with its version.
    expect(await listWithEtags(bed.s3, bed.assetsBucket, versionPrefix(asin, 2))).toEqual({});
    // Retention's work is visible to the storage dashboard.
    const exposition = await operator.metrics.registry.metrics();
    expect(exposition).toMatch(/^shazam_retention_versions_deleted_total 1$/m);
    // The retention Event names what it deleted truthfully: revision 2 was rejected, never published.
    // Events are written after the status, off the reconcile path.
    const events = await waitFor('the RetentionApplied event', async () => {
      const listed = await bed.kube.list<{ reason?: string; message?: string } & { metadata: object }>(
        RESOURCES.event,
        { namespace: bed.namespace },
      );
      return listed.items.some((e) => e.reason === 'RetentionApplied') && listed;
    });
    const retention = events.items.filter((e) => e.reason === 'RetentionApplied').map((e) => e.message);
    expect(retention).toContain(
      `Retention deleted never-published version 2 of ${asin}; version 3 is live, version 1 kept for rollback.`,
    );
    const promotedEvents = events.items.filter((e) => e.reason === 'Promoted').map((e) => e.message ?? '');
    expect(promotedEvents.length).toBeGreaterThan(0);
    for (const message of promotedEvents) expect(message).not.toMatch(/^Published/);
    expect(published.status?.liveVersion).toBe(3);
    const reclaimed = Number(/^shazam_retention_reclaimed_bytes_total (\d+)$/m.exec(exposition)?.[1]);
    expect(reclaimed).toBeGreaterThan(0);
  });

  it('marks a failed delivery ValidationFailed with the first finding', async () => {
    const f = flow(bed, 'vase');
    await f.create(submissionManifest(bed, 'vase', 'B0REJECT02', 1));
    await f.completeValidation('Failed');
    const failed = await f.phase('ValidationFailed');
    expect(failed.status?.validation).toMatchObject({
      verdict: 'Failed',
      errors: 1,
      stages: { uv: 'Failed' },
    });
    expect(failed.status?.message).toContain('UV_MISSING_TEXCOORD');
    expect(await listWithEtags(bed.s3, bed.assetsBucket, versionPrefix('B0REJECT02', 1))).toEqual({});
  });

  it('cleans up unpublished data on deletion and never touches a published version', async () => {
    const asin = 'B0DELETE01';
    const live = flow(bed, 'rug');
    await live.create(submissionManifest(bed, 'rug', asin, 1));
    await live.completeValidation('Passed');
    await live.completeRender();
    await live.decide('Approved');
    await live.phase('Published');
    const published = await listWithEtags(bed.s3, bed.assetsBucket, versionPrefix(asin, 1));

    const pending = flow(bed, 'rug-v2');
    const takeover = submissionManifest(bed, 'rug-v2', asin, 2);
    takeover.metadata.annotations = { [TAKES_OVER_ANNOTATION]: `${bed.namespace}/rug` };
    await pending.create(takeover);
    await pending.completeValidation('Passed', 2);
    await pending.completeRender(2);
    await pending.phase('AwaitingQA');
    expect(
      Object.keys(await listWithEtags(bed.s3, bed.assetsBucket, versionPrefix(asin, 2))).length,
    ).toBeGreaterThan(0);

    for (const name of ['rug-v2', 'rug'])
      await bed.kube.delete(RESOURCES.assetSubmission, bed.namespace, name);
    for (const name of ['rug-v2', 'rug']) {
      await waitFor(`${name} to be gone`, async () =>
        (await bed.kube.getOrUndefined(RESOURCES.assetSubmission, bed.namespace, name)) === undefined
          ? true
          : undefined,
      );
    }
    expect(await listWithEtags(bed.s3, bed.assetsBucket, versionPrefix(asin, 2))).toEqual({});
    expect(await listWithEtags(bed.s3, bed.assetsBucket, versionPrefix(asin, 1))).toEqual(published);
  });
});
