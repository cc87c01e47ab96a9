import { describe, expect, it } from 'vitest';
import { validationJobName } from '../names.ts';
import { nextPointer } from '../published-pointer.ts';
import {
  assetSubmission,
  job,
  renderJobIn,
  review,
  testConfig,
  validationResult,
} from '../test-support/builders.ts';
import { buildRenderJob } from './children.ts';
import type { SubmissionObserved } from './observed.ts';
import { assessSubmission } from './plan.ts';
import { computeSubmissionStatus } from './status.ts';

const config = testConfig();
const NOW = '2026-01-01T01:00:00.000Z';

function observed(overrides: Partial<SubmissionObserved> = {}): SubmissionObserved {
  return {
    submission: assetSubmission().build(),
    now: NOW,
    validationJob: undefined,
    validationFailure: undefined,
    result: { state: 'missing' },
    ownership: { state: 'owner' },
    sameRevisionPeer: false,
    review: undefined,
    unboundReviews: 0,
    renderJob: undefined,
    newerPublished: undefined,
    inUse: [],
    storage: undefined,
    ...overrides,
  };
}

const sub = assetSubmission().build();
const jobName = validationJobName(sub);
const passedStatus = computeSubmissionStatus(
  sub,
  assessSubmission(observed({ result: { state: 'found', result: validationResult(sub, 'Passed') } }), config),
  NOW,
);
const validated = assetSubmission().withStatus(passedStatus).build();
const approvedReview = review(validated, 'Approved');
const renderJob = buildRenderJob(validated, config);
const rendered = renderJobIn(renderJob, 'Succeeded');
const storage = (pointerVersion: number | undefined, stored: number[], complete = true) => ({
  complete,
  stored,
  pointer:
    pointerVersion === undefined
      ? undefined
      : nextPointer(undefined, {
          asin: sub.spec.asin,
          version: pointerVersion,
          prefix: `assets/${sub.spec.asin}/versions/${pointerVersion}/`,
          publishedAt: NOW,
          submission: { namespace: 'studio', name: 'other' },
        }),
});

describe('assessSubmission', () => {
  it.each([
    // A new submission gets the finalizer first, then the validation Job in the same pass.
    {
      name: 'adds the finalizer first, then goes on',
      input: observed({ submission: assetSubmission().withoutFinalizer().build() }),
      phase: 'Validating',
      actions: ['addFinalizer', 'create:Job'],
    },
    // A submission without the finalizer whose delivery already has a verdict goes on past it too.
    {
      name: 'adds the finalizer and records a verdict in one pass',
      input: observed({
        submission: assetSubmission().withoutFinalizer().build(),
        result: { state: 'found', result: validationResult(sub, 'Failed') },
      }),
      phase: 'ValidationFailed',
      actions: ['addFinalizer'],
    },
    // With the finalizer: the validation Job.
    { name: 'creates the validation Job', input: observed(), phase: 'Validating', actions: ['create:Job'] },
    // The Job exists and runs: nothing to do, no S3 read needed.
    {
      name: 'waits for a running Job',
      input: observed({ validationJob: job(jobName, 'Running'), result: { state: 'unread' } }),
      phase: 'Validating',
      actions: [],
    },
    // The Job failed past its backoff limit: terminal until someone deletes the Job.
    {
      name: 'fails when the Job failed',
      input: observed({ validationJob: job(jobName, 'Failed') }),
      phase: 'Failed',
      actions: [],
    },
    // The Job succeeded but the result is missing: a broken validation program, terminal.
    {
      name: 'fails when the Job wrote no result',
      input: observed({ validationJob: job(jobName, 'Succeeded') }),
      phase: 'Failed',
      actions: [],
    },
    // The result exists even though the Job is gone (TTL): no second Job.
    {
      name: 'records a result whose Job expired',
      input: observed({ result: { state: 'found', result: validationResult(sub, 'Failed') } }),
      phase: 'ValidationFailed',
      actions: [],
    },
    // A passed delivery renders its candidate turntable first.
    {
      name: 'creates the candidate RenderJob on pass',
      input: observed({ result: { state: 'found', result: validationResult(sub, 'Passed') } }),
      phase: 'Rendering',
      actions: ['create:RenderJob'],
    },
    // The render runs: nothing to do until it finishes; no review yet.
    {
      name: 'waits for the candidate render',
      input: observed({ submission: validated, renderJob: renderJobIn(renderJob, 'Running') }),
      phase: 'Rendering',
      actions: [],
    },
    // Render failed: Failed with the reason, and QA never sees it.
    {
      name: 'fails when the render failed',
      input: observed({ submission: validated, renderJob: renderJobIn(renderJob, 'Failed') }),
      phase: 'Failed',
      actions: [],
    },
    // Rendered: the operator's QAReview opens on the real turntable.
    {
      name: 'opens a QAReview once rendered',
      input: observed({ submission: validated, renderJob: rendered }),
      phase: 'AwaitingQA',
      actions: ['create:QAReview'],
    },
    // A review QA committed but the QAReview controller has not bound yet: wait, create nothing.
    {
      name: 'waits for an unbound review',
      input: observed({ submission: validated, renderJob: rendered, unboundReviews: 1 }),
      phase: 'AwaitingQA',
      actions: [],
    },
    // Rejected: reasons recorded, nothing promoted.
    {
      name: 'records a rejection',
      input: observed({ submission: validated, renderJob: rendered, review: review(validated, 'Rejected') }),
      phase: 'Rejected',
      actions: [],
    },
    // Approved but the ingest marker is missing: promotion waits.
    {
      name: 'waits for complete.json',
      input: observed({
        submission: validated,
        renderJob: rendered,
        review: approvedReview,
        storage: storage(undefined, [1], false),
      }),
      phase: 'Promoting',
      actions: [],
    },
    // Approved and complete: one pointer PUT, and Published in the same pass (the renders are already there).
    {
      name: 'promotes and publishes with the renders',
      input: observed({
        submission: validated,
        renderJob: rendered,
        review: approvedReview,
        storage: storage(undefined, [1]),
      }),
      phase: 'Published',
      actions: ['putPublishedPointer'],
    },
    // A newer version is already published: never roll the pointer back.
    {
      name: 'is superseded by a newer pointer',
      input: observed({
        submission: validated,
        renderJob: rendered,
        review: approvedReview,
        storage: storage(2, [1, 2]),
      }),
      phase: 'Superseded',
      actions: [],
    },
    // Another submission of the ASIN published a newer revision.
    {
      name: 'is superseded by a newer published peer',
      input: observed({
        submission: validated,
        newerPublished: { namespace: 'studio', name: 'chair-v2', version: 2 },
      }),
      phase: 'Superseded',
      actions: [],
    },
    // Promoted earlier (the pointer is ours): Published, nothing to do.
    {
      name: 'stays published once promoted',
      input: observed({
        submission: validated,
        review: approvedReview,
        storage: storage(1, [1]),
        renderJob: rendered,
      }),
      phase: 'Published',
      actions: [],
    },
    // Deleting: unpublished data removed, then the finalizer.
    {
      name: 'cleans up an unpublished revision on deletion',
      input: observed({ submission: assetSubmission().deleting().build(), storage: storage(undefined, [1]) }),
      phase: 'Pending',
      actions: ['deleteUnpublished', 'removeFinalizer'],
    },
    // Deleting a published revision: its data stays.
    {
      name: 'never deletes the published revision',
      input: observed({ submission: assetSubmission().deleting().build(), storage: storage(1, [1]) }),
      phase: 'Pending',
      actions: ['removeFinalizer'],
    },
  ])('$name', ({ input, phase, actions }) => {
    const assessment = assessSubmission(input, config);
    expect(assessment.phase).toBe(phase);
    expect(assessment.actions.map((a) => (a.type === 'create' ? `create:${a.object.kind}` : a.type))).toEqual(
      actions,
    );
  });

  it('applies retention to superseded versions but keeps the previous published one and those in use', () => {
    const rev4 = assetSubmission()
      .withRevision(4)
      .withStatus({ ...passedStatus, version: 4 })
      .build();
    rev4.status!.children!.validationJob = validationJobName(rev4);
    const pointer = nextPointer(
      nextPointer(undefined, {
        asin: sub.spec.asin,
        version: 1,
        prefix: '',
        publishedAt: NOW,
        submission: { namespace: 's', name: 'n' },
      }),
      {
        asin: sub.spec.asin,
        version: 3,
        prefix: '',
        publishedAt: NOW,
        submission: { namespace: 's', name: 'n' },
      },
    );
    const assessment = assessSubmission(
      observed({
        submission: rev4,
        renderJob: renderJobIn(buildRenderJob(rev4, config), 'Succeeded'),
        review: review(rev4, 'Approved'),
        inUse: [2],
        storage: { complete: true, pointer, stored: [1, 2, 3, 4, 5] },
      }),
      config,
    );
    const put = assessment.actions.find((a) => a.type === 'putPublishedPointer');
    expect(put && put.type === 'putPublishedPointer' ? put.pointer.previous : []).toEqual([3, 1]);
    // versionsToKeep 2: 4 (published) and 3 (previous) stay; 2 is in use; 5 is newer; only 1 goes.
    expect(assessment.actions.find((a) => a.type === 'deleteVersions')).toEqual({
      type: 'deleteVersions',
      asin: sub.spec.asin,
      revisions: [1],
      superseded: [1],
      live: 4,
      kept: [3],
    });
  });

  it('keeps the earlier published version in status while a new revision is in flight', () => {
    const published = {
      version: 1,
      bucket: 'b',
      prefix: 'p',
      glbUrl: 'g',
      webGlbUrl: 'w',
      posterUrl: 'p',
      spin: { frameCount: 36, urlTemplate: 'u' },
      descriptorsUri: 'd',
      publishedAt: NOW,
    };
    const rev2 = assetSubmission().withRevision(2).withStatus({ phase: 'Published', published }).build();
    const assessment = assessSubmission(observed({ submission: rev2, review: undefined }), config);
    expect(assessment.phase).toBe('Validating');
    expect(assessment.published).toEqual(published);
  });

  it('fills published URLs from the public base URL and the render outputs', () => {
    const assessment = assessSubmission(
      observed({
        submission: validated,
        review: approvedReview,
        storage: storage(1, [1]),
        renderJob: renderJobIn(renderJob, 'Succeeded'),
      }),
      config,
    );
    expect(assessment.published).toMatchObject({
      version: 1,
      glbUrl: 'https://cdn.example.test/assets/B0CHAIR001/versions/1/model.glb',
      posterUrl: 'https://cdn.example.test/assets/B0CHAIR001/versions/1/renders/poster.webp',
      spin: {
        frameCount: 36,
        urlTemplate: 'https://cdn.example.test/assets/B0CHAIR001/versions/1/renders/360/{frame}.webp',
      },
    });
  });
  it('publishes which turntable profiles the spin meets, from the RenderJob or judged on its facts', () => {
    const judged = renderJobIn(renderJob, 'Succeeded');
    judged.status!.profiles = [
      { id: 'amazon-360', met: true, missed: [], reasons: [] },
      { id: 'spin-36', met: false, missed: ['frameCounts'], reasons: ['36 frames; spin-36 accepts 72.'] },
    ];
    const withProfiles = assessSubmission(
      observed({
        submission: validated,
        review: approvedReview,
        storage: storage(1, [1]),
        renderJob: judged,
      }),
      config,
    );
    // Compact: the ids and whether each is met; the reasons stay on the RenderJob.
    expect(withProfiles.published?.turntableProfiles).toEqual([
      { id: 'amazon-360', met: true },
      { id: 'spin-36', met: false },
    ]);
    // A render whose status has no profiles (36 × 1024 px, no preset) is judged on the same facts.
    const older = assessSubmission(
      observed({
        submission: validated,
        review: approvedReview,
        storage: storage(1, [1]),
        renderJob: renderJobIn(renderJob, 'Succeeded'),
      }),
      config,
    );
    expect(older.published?.turntableProfiles).toEqual([{ id: 'amazon-360', met: false }]);
  });

  it('names the USDZ for AR Quick Look when the version has one, and keeps it once storage is no longer read', () => {
    const withUsdz = assessSubmission(
      observed({
        submission: validated,
        review: approvedReview,
        storage: { ...storage(1, [1]), arModel: 'assets/B0CHAIR001/versions/1/model.usdz' },
        renderJob: rendered,
      }),
      config,
    );
    expect(withUsdz.published?.usdzUrl).toBe(
      'https://cdn.example.test/assets/B0CHAIR001/versions/1/model.usdz',
    );
    const promoted = assetSubmission()
      .withStatus(computeSubmissionStatus(validated, withUsdz, NOW))
      .build();
    const later = assessSubmission(
      observed({ submission: promoted, review: approvedReview, renderJob: rendered }),
      config,
    );
    expect(later.phase).toBe('Published');
    expect(later.published?.usdzUrl).toBe(withUsdz.published?.usdzUrl);
    const without = assessSubmission(
      observed({
        submission: validated,
        review: approvedReview,
        storage: storage(1, [1]),
        renderJob: rendered,
      }),
      config,
    );
    expect(without.published).not.toHaveProperty('usdzUrl');
  });
});

describe('computeSubmissionStatus', () => {
  it('keeps lastTransitionTime when a condition does not flip and moves it when it does', () => {
    const first = computeSubmissionStatus(sub, assessSubmission(observed(), config), '2026-01-01T00:00:00Z');
    const again = computeSubmissionStatus(
      assetSubmission().withStatus(first).build(),
      assessSubmission(observed({ submission: assetSubmission().withStatus(first).build() }), config),
      '2026-01-01T05:00:00Z',
    );
    expect(again.conditions).toEqual(first.conditions);
    const flipped = computeSubmissionStatus(
      assetSubmission().withStatus(first).build(),
      assessSubmission(
        observed({ result: { state: 'found', result: validationResult(sub, 'Passed') } }),
        config,
      ),
      '2026-01-01T06:00:00Z',
    );
    const validatedCondition = flipped.conditions?.find((c) => c.type === 'Validated');
    expect(validatedCondition).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-01-01T06:00:00Z',
      observedGeneration: 1,
    });
  });

  it('maps findings to the status form', () => {
    const status = computeSubmissionStatus(
      sub,
      assessSubmission(
        observed({ result: { state: 'found', result: validationResult(sub, 'Failed') } }),
        config,
      ),
      NOW,
    );
    expect(status.validation?.findings?.[0]).toEqual({
      severity: 'Error',
      code: 'UV_MISSING_TEXCOORD',
      stage: 'uv',
      message: 'no TEXCOORD_0',
      pointer: 'model/x.glb#/meshes/0',
    });
    expect(status.message).toContain('deliver revision 2');
  });
});
