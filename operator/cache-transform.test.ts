import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validationJobName } from '../controllers/names.ts';
import { LAST_APPLIED_ANNOTATION } from '../lib/kube/cache-transform.ts';
import type { OperatorHandle } from './operator.ts';
import { createTestBed, submissionManifest, type TestBed } from './test-support/fixture.ts';
import { flow } from './test-support/flow.ts';

/** `managedFields`, which the CRD-generated ObjectMeta does not declare. */
const managedFields = (object: { metadata: object } | undefined) =>
  (object?.metadata as { managedFields?: unknown[] } | undefined)?.managedFields;

describe("the operator's cache keeps only what the controllers read (real apiserver)", () => {
  let bed: TestBed;
  let operator: OperatorHandle;

  beforeAll(async () => {
    bed = await createTestBed('op-slim');
    operator = await bed.start();
    await operator.synced;
  });
  afterAll(async () => {
    await operator?.stop();
  });

  it('caches submissions and Jobs without managedFields, foreign annotations or unread spec fields, and still reconciles', async () => {
    const f = flow(bed, 'lamp');
    const manifest = submissionManifest(bed, 'lamp', 'B0SLIM0001', 1);
    manifest.metadata.annotations = {
      [LAST_APPLIED_ANNOTATION]: JSON.stringify(manifest),
      'argocd.argoproj.io/tracking-id': 'catalogue:pipeline.shazam.dev/AssetSubmission:ns/lamp',
      'pipeline.shazam.dev/note': 'kept',
    };
    await f.create(manifest);
    const job = await f.validationJob();
    const validating = await f.phase('Validating');
    expect(managedFields(validating)?.length).toBeGreaterThan(0);

    const cached = operator.cache.submission(bed.namespace, 'lamp');
    expect(managedFields(cached)).toBeUndefined();
    expect(cached?.metadata.annotations).toEqual({ 'pipeline.shazam.dev/note': 'kept' });
    // Only people and the search API read the product and the artist.
    const { product, artist, ...read } = validating.spec;
    expect(product?.title).toBeDefined();
    expect(artist).toBeDefined();
    expect(cached?.spec).toEqual(read);
    expect(cached?.metadata.finalizers).toEqual(validating.metadata.finalizers);

    const cachedJob = operator.cache.job(bed.namespace, validationJobName(validating));
    expect(cachedJob?.metadata.name).toBe(job.metadata.name);
    expect(managedFields(cachedJob)).toBeUndefined();
    expect(cachedJob?.metadata.ownerReferences?.[0]?.name).toBe('lamp');
    expect(cachedJob?.spec).toEqual({});

    // The Job's completion is read from the slim cache: the submission moves on.
    await f.completeValidation('Passed');
    const rendering = await f.phase('Rendering');
    expect(rendering.status?.validation?.verdict).toBe('Passed');
    expect(operator.cache.job(bed.namespace, job.metadata.name)?.status?.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Complete', status: 'True' })]),
    );
  });
});
