/**
 * Conditions that tell the truth: for every phase the plan can reach, every condition has a reason that
 * fits its status and place in the ladder, and a message a person can act on.
 */
import { describe, expect, it } from 'vitest';
import { ASSET_SUBMISSION_CONDITIONS } from '../../crds/api.ts';
import type { ValidationResult } from '../../lib/contracts/validation-result.ts';
import { nextPointer } from '../published-pointer.ts';
import { computeReviewStatus } from '../qa-review/status.ts';
import { SubmissionReason as R, ReviewReason } from '../reasons.ts';
import type { AssetSubmission } from '../resources.ts';
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
import { type Assessment, assessSubmission } from './plan.ts';
import { computeSubmissionStatus } from './status.ts';

const config = testConfig();
const NOW = '2026-01-01T01:00:00.000Z';
const sub = assetSubmission().build();

function observed(overrides: Partial<SubmissionObserved> = {}): SubmissionObserved {
  return {
    submission: sub,
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

/** The submission after `assessment` was written. */
function after(submission: AssetSubmission, assessment: Assessment, now = NOW): AssetSubmission {
  return { ...submission, status: computeSubmissionStatus(submission, assessment, now) };
}

const passed = after(
  sub,
  assessSubmission(observed({ result: { state: 'found', result: validationResult(sub, 'Passed') } }), config),
);
const renderJob = buildRenderJob(passed, config);
const rendered = renderJobIn(renderJob, 'Succeeded');
const inReview = after(
  passed,
  assessSubmission(observed({ submission: passed, renderJob: rendered }), config),
);
const approved = review(inReview, 'Approved');
const stored = (complete: boolean, pointer?: number) => ({
  complete,
  stored: [1],
  pointer:
    pointer === undefined
      ? undefined
      : nextPointer(undefined, {
          asin: sub.spec.asin,
          version: pointer,
          prefix: `assets/${sub.spec.asin}/versions/${pointer}/`,
          publishedAt: NOW,
          submission: { namespace: 'studio', name: 'chair' },
        }),
});
const published = after(
  inReview,
  assessSubmission(
    observed({ submission: inReview, review: approved, renderJob: rendered, storage: stored(true) }),
    config,
  ),
);
const missingDelivery = validationResult(sub, 'Failed');
missingDelivery.findings = [
  {
    code: 'DELIVERY_NOT_FOUND',
    severity: 'error',
    stage: 'archive',
    message: 'No delivery at s3://x/y.zip.',
  },
];
const waiting = after(
  sub,
  assessSubmission(observed({ result: { state: 'found', result: missingDelivery } }), config),
);
const repaired: ValidationResult = {
  ...validationResult(sub, 'Passed'),
  repair: {
    source: {
      errors: 2,
      codes: ['CLEANUP_SCALE', 'CLEANUP_ORIGIN'],
      reportUri: 's3://assets-test/r1.report.json',
    },
    changes: [
      { fix: 'unit-scale', summary: 'Scaled the model by 0.01 (centimetres to metres).' },
      { fix: 'recenter', summary: 'Moved the model so its base centre sits on the origin.' },
    ],
    provenanceUri: 's3://assets-test/assets/B0CHAIR001/versions/1/repair.json',
  },
};
const repairedPassed = after(
  sub,
  assessSubmission(observed({ result: { state: 'found', result: repaired } }), config),
);
const r2 = structuredClone(published);
r2.spec.revision = 2;
r2.metadata.generation = 2;
r2.spec.delivery.sha256 = 'b'.repeat(64);

/** Every phase the plan reaches, with the reasons its Ready condition may carry. */
const SCENARIOS: { name: string; observed: SubmissionObserved; phase: string }[] = [
  // A delivery that failed only on fixable findings: its repaired candidate goes on to render and QA.
  {
    name: 'repaired candidate in review',
    observed: observed({ submission: repairedPassed, renderJob: rendered }),
    phase: 'AwaitingQA',
  },
  {
    name: 'waiting for the delivery',
    observed: observed({ result: { state: 'found', result: missingDelivery } }),
    phase: 'Pending',
  },
  {
    name: 'delivery never came',
    observed: observed({
      submission: waiting,
      now: '2026-01-01T02:00:00.000Z',
      result: { state: 'found', result: missingDelivery },
    }),
    phase: 'Failed',
  },
  { name: 'validation Job to create', observed: observed(), phase: 'Validating' },
  {
    name: 'validation Job running',
    observed: observed({ validationJob: job('j', 'Running') }),
    phase: 'Validating',
  },
  {
    name: 'validation Job failed',
    observed: observed({ validationJob: job('j', 'Failed') }),
    phase: 'Failed',
  },
  {
    name: 'validation Job failed, pod says why',
    observed: observed({
      validationJob: job('j', 'Failed'),
      validationFailure: { reason: 'Error', message: 'STORAGE_NO_SUCH_BUCKET: no bucket incoming.' },
    }),
    phase: 'Failed',
  },
  { name: 'result missing', observed: observed({ validationJob: job('j', 'Succeeded') }), phase: 'Failed' },
  {
    name: 'result invalid',
    observed: observed({ result: { state: 'invalid', message: 'bad JSON.' } }),
    phase: 'Failed',
  },
  {
    name: 'validation failed',
    observed: observed({ result: { state: 'found', result: validationResult(sub, 'Failed') } }),
    phase: 'ValidationFailed',
  },
  {
    name: 'ASIN owned elsewhere',
    observed: observed({ ownership: { state: 'refused', owner: { namespace: 'studio', name: 'desk' } } }),
    phase: 'Failed',
  },
  // The candidate is rendered before QA sees it.
  { name: 'render to create', observed: observed({ submission: passed }), phase: 'Rendering' },
  {
    name: 'rendering',
    observed: observed({ submission: passed, renderJob: renderJobIn(renderJob, 'Running') }),
    phase: 'Rendering',
  },
  {
    name: 'render failed',
    observed: observed({ submission: passed, renderJob: renderJobIn(renderJob, 'Failed') }),
    phase: 'Failed',
  },
  {
    name: 'review to open',
    observed: observed({ submission: inReview, renderJob: rendered }),
    phase: 'AwaitingQA',
  },
  {
    name: 'review open',
    observed: observed({ submission: inReview, renderJob: rendered, review: review(inReview, 'Pending') }),
    phase: 'AwaitingQA',
  },
  {
    name: 'rejected',
    observed: observed({ submission: inReview, renderJob: rendered, review: review(inReview, 'Rejected') }),
    phase: 'Rejected',
  },
  {
    name: 'version incomplete',
    observed: observed({
      submission: inReview,
      renderJob: rendered,
      review: approved,
      storage: stored(false),
    }),
    phase: 'Promoting',
  },
  // Approval publishes the candidate with its renders in the same pass: no render after approval.
  {
    name: 'published',
    observed: observed({
      submission: inReview,
      renderJob: rendered,
      review: approved,
      storage: stored(true),
    }),
    phase: 'Published',
  },
  {
    name: 'superseded',
    observed: observed({
      submission: published,
      review: approved,
      renderJob: rendered,
      newerPublished: { namespace: 'studio', name: 'chair-v2', version: 2 },
    }),
    phase: 'Superseded',
  },
  {
    name: 'revision 2 validating while 1 is live',
    observed: observed({ submission: r2, validationJob: job('j', 'Running') }),
    phase: 'Validating',
  },
];

const FAILURES = [
  R.ValidationFailed,
  R.ValidationJobFailed,
  R.ValidationResultMissing,
  R.ValidationResultInvalid,
  R.DeliveryNotFound,
  R.AsinOwnedElsewhere,
  R.Superseded,
];
/** The reasons each condition may carry, by status. A False step after the failed one names its cause. */
const ALLOWED: Record<string, Record<string, readonly string[]>> = {
  Validated: {
    True: [R.ValidationPassed, R.RepairedCandidatePassed],
    Unknown: [R.AwaitingDelivery, R.ValidationPending, R.ValidationRunning],
    False: FAILURES,
  },
  Rendered: {
    True: [R.Rendered],
    Unknown: [R.AwaitingValidation, R.RenderPending, R.Rendering],
    False: [...FAILURES, R.RenderFailed],
  },
  QAApproved: {
    True: [R.Approved],
    Unknown: [R.AwaitingRender, R.AwaitingReview],
    False: [...FAILURES, R.RenderFailed, R.Rejected],
  },
  Promoted: {
    True: [R.Promoted],
    Unknown: [R.AwaitingApproval, R.VersionIncomplete],
    False: [...FAILURES, R.RenderFailed, R.Rejected],
  },
  Ready: { True: [R.Published], Unknown: [], False: Object.values(R).filter((r) => r !== R.Published) },
};
const FAILED_PHASES = new Set(['Failed', 'ValidationFailed', 'Rejected', 'Superseded']);

function isActionable(message: string): void {
  expect(message.trim().length).toBeGreaterThan(0);
  expect(message).not.toMatch(/\.\.(\s|$)/);
  expect(message).toMatch(/[.!?]$/);
}

describe('conditions tell the truth', () => {
  it('covers every phase the API names', () => {
    expect(new Set(SCENARIOS.map((s) => s.phase))).toEqual(
      new Set([
        'Pending',
        'Validating',
        'ValidationFailed',
        'Rendering',
        'AwaitingQA',
        'Rejected',
        'Promoting',
        'Published',
        'Superseded',
        'Failed',
      ]),
    );
  });

  it.each(SCENARIOS)('$name → $phase', (row) => {
    const assessment = assessSubmission(row.observed, config);
    expect(assessment.phase).toBe(row.phase);
    isActionable(assessment.message);
    const conditions = assessment.conditions;
    expect(conditions.map((c) => c.type)).toEqual([...ASSET_SUBMISSION_CONDITIONS]);
    let failedBefore = false;
    for (const c of conditions) {
      expect(ALLOWED[c.type]?.[c.status], `${c.type}=${c.status}`).toContain(c.reason);
      isActionable(c.message);
      // After a step failed for good, no later step is "awaiting" anything.
      if (failedBefore && c.type !== 'Ready') expect(c.status, `${c.type} after a failure`).toBe('False');
      if (c.status === 'False' && c.type !== 'Ready') failedBefore = true;
    }
    const ready = conditions.find((c) => c.type === 'Ready')!;
    expect(ready.status === 'True').toBe(row.phase === 'Published');
    if (FAILED_PHASES.has(row.phase)) {
      expect(conditions.filter((c) => c.status === 'Unknown')).toEqual([]);
    } else {
      expect(conditions.filter((c) => c.status === 'False' && c.type !== 'Ready')).toEqual([]);
    }
  });

  it('says which version is live while a newer revision is under way', () => {
    const assessment = assessSubmission(
      observed({ submission: r2, validationJob: job('j', 'Running') }),
      config,
    );
    expect(assessment.liveVersion).toBe(1);
    expect(assessment.conditions.find((c) => c.type === 'Ready')?.message).toContain('Version 1 stays live');
    expect(after(r2, assessment).status?.liveVersion).toBe(1);
  });

  it('renders the candidate before QA and publishes it in the pass that sees the approval', () => {
    expect(passed.status?.phase).toBe('Rendering');
    expect(passed.status?.liveVersion).toBeUndefined();
    expect(inReview.status?.phase).toBe('AwaitingQA');
    expect(inReview.status?.conditions?.find((c) => c.type === 'Rendered')?.status).toBe('True');
    expect(inReview.status?.liveVersion).toBeUndefined();
    expect(published.status?.phase).toBe('Published');
    expect(published.status?.liveVersion).toBe(1);
    expect(published.status?.published?.posterUrl).toContain('/versions/1/renders/poster.webp');
  });

  it('keeps the live version while the next candidate renders', () => {
    const rendering = assessSubmission(
      observed({ submission: r2, result: { state: 'found', result: validationResult(r2, 'Passed') } }),
      config,
    );
    expect(rendering.phase).toBe('Rendering');
    expect(rendering.message).toContain('Version 1 stays live meanwhile.');
    expect(rendering.liveVersion).toBe(1);
  });

  it('keeps nothing live for a refused or superseded submission', () => {
    const refused = assessSubmission(
      observed({
        submission: published,
        ownership: { state: 'refused', owner: { namespace: 'studio', name: 'desk' } },
      }),
      config,
    );
    expect(refused.liveVersion).toBeUndefined();
  });

  it('carries the pod’s reason into a failed validation Job’s message', () => {
    const assessment = assessSubmission(
      observed({
        validationJob: job('j', 'Failed'),
        validationFailure: { reason: 'Error', message: 'STORAGE_NO_SUCH_BUCKET: no bucket incoming.' },
      }),
      config,
    );
    expect(assessment.message).toContain('STORAGE_NO_SUCH_BUCKET: no bucket incoming');
  });
});

describe('QAReview conditions tell the truth', () => {
  const moved = assetSubmission().withRevision(2).build();
  const rows = [
    {
      name: 'open',
      review: review(sub, 'Pending'),
      submission: sub,
      phase: 'Open',
      reason: ReviewReason.AwaitingDecision,
    },
    {
      name: 'approved',
      review: review(sub, 'Approved'),
      submission: sub,
      phase: 'Approved',
      reason: ReviewReason.Approved,
    },
    {
      name: 'rejected',
      review: review(sub, 'Rejected'),
      submission: sub,
      phase: 'Rejected',
      reason: ReviewReason.Rejected,
    },
    {
      name: 'revision moved',
      review: review(sub, 'Pending'),
      submission: moved,
      phase: 'Orphaned',
      reason: ReviewReason.RevisionMoved,
    },
    {
      name: 'submission gone',
      review: review(sub, 'Pending'),
      submission: undefined,
      phase: 'Orphaned',
      reason: ReviewReason.SubmissionMissing,
    },
    // Approving an orphaned review decides nothing, and the review says so.
    {
      name: 'approved when orphaned',
      review: review(sub, 'Approved'),
      submission: moved,
      phase: 'Orphaned',
      reason: ReviewReason.DecisionIgnored,
    },
  ];
  it.each(rows)('$name → $phase ($reason)', (row) => {
    const status = computeReviewStatus({ review: row.review, submission: row.submission, now: NOW });
    expect(status.phase).toBe(row.phase);
    const decided = status.conditions?.find((c) => c.type === 'Decided');
    expect(decided?.reason).toBe(row.reason);
    isActionable(decided?.message ?? '');
    expect(decided?.status).toBe(row.phase === 'Approved' || row.phase === 'Rejected' ? 'True' : 'False');
    if (row.reason === ReviewReason.DecisionIgnored) expect(status.decidedAt).toBeUndefined();
  });

  it('says when the version is a repaired candidate, what changed, and that QA decides for both', () => {
    expect(repairedPassed.status?.validation?.repair).toEqual({
      sourceErrors: ['CLEANUP_SCALE', 'CLEANUP_ORIGIN'],
      sourceReportUri: 's3://assets-test/r1.report.json',
      changes: repaired.repair?.changes,
      provenanceUri: 's3://assets-test/assets/B0CHAIR001/versions/1/repair.json',
    });
    const validated = repairedPassed.status?.conditions?.find((c) => c.type === 'Validated');
    expect(validated).toMatchObject({ status: 'True', reason: R.RepairedCandidatePassed });
    expect(validated?.message).toBe(
      `Revision 1 (${sub.spec.delivery.sha256.slice(0, 12)}) failed on CLEANUP_SCALE, CLEANUP_ORIGIN; its repaired ` +
        'candidate passed: Scaled the model by 0.01 (centimetres to metres). Moved the model so its base centre ' +
        'sits on the origin. QA approves the repaired candidate or rejects both; the delivery itself is unchanged.',
    );
    const inQA = assessSubmission(observed({ submission: repairedPassed, renderJob: rendered }), config);
    expect(inQA.message).toMatch(/^The repaired candidate of revision 1 passed validation and is rendered/);
  });
});
