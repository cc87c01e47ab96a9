import { describe, expect, it } from 'vitest';
import { buildRenderJob } from '../asset-submission/children.ts';
import type { QAReview } from '../resources.ts';
import { assetSubmission, renderJobIn, review, testConfig } from '../test-support/builders.ts';
import { fidelityFromReport, needsFidelity, renderPrefixOf } from './fidelity.ts';
import { computeReviewStatus } from './status.ts';

const NOW = '2026-01-01T02:00:00.000Z';
const submission = assetSubmission().build();

function foreign(decision: 'Pending' | 'Approved'): QAReview {
  return {
    apiVersion: 'pipeline.shazam.dev/v1alpha1',
    kind: 'QAReview',
    metadata: {
      name: 'qa-commit',
      namespace: 'studio',
      generation: 1,
      creationTimestamp: '2026-01-01T01:00:00Z',
    },
    spec: {
      submissionRef: { name: 'chair' },
      decision,
      ...(decision === 'Approved' ? { reviewer: 'qa-lee' } : {}),
    },
  };
}

describe('computeReviewStatus', () => {
  it.each([
    // The operator's own review is Open while undecided, bound to the revision in its label.
    {
      name: 'own review open',
      review: review(submission, 'Pending'),
      submission,
      phase: 'Open',
      revision: 1,
      decided: false,
    },
    // A decision sets the phase and the decision time.
    {
      name: 'approved',
      review: review(submission, 'Approved'),
      submission,
      phase: 'Approved',
      revision: 1,
      decided: true,
    },
    {
      name: 'rejected',
      review: review(submission, 'Rejected'),
      submission,
      phase: 'Rejected',
      revision: 1,
      decided: true,
    },
    // A review QA committed is bound to the submission's current revision.
    {
      name: 'adopted',
      review: foreign('Approved'),
      submission: assetSubmission().withRevision(4).build(),
      phase: 'Approved',
      revision: 4,
      decided: true,
    },
    // An undecided review whose submission moved on is Orphaned.
    {
      name: 'revision moved',
      review: review(submission, 'Pending'),
      submission: assetSubmission().withRevision(2).build(),
      phase: 'Orphaned',
      revision: 1,
      decided: false,
    },
    // An undecided review of a missing submission is Orphaned and unbound.
    {
      name: 'submission missing',
      review: foreign('Pending'),
      submission: undefined,
      phase: 'Orphaned',
      revision: undefined,
      decided: false,
    },
  ])('$name', (row) => {
    const status = computeReviewStatus({ review: row.review, submission: row.submission, now: NOW });
    expect(status.phase).toBe(row.phase);
    expect(status.submission?.revision).toBe(row.revision);
    expect(status.decidedAt).toBe(row.decided ? NOW : undefined);
    expect(status.conditions?.[0]).toMatchObject({ type: 'Decided', status: row.decided ? 'True' : 'False' });
  });

  it('orphans an undecided review when another review of the revision was decided', () => {
    const status = computeReviewStatus({
      review: review(submission, 'Pending'),
      submission,
      decidedElsewhere: 'qa-commit',
      now: NOW,
    });
    expect(status.phase).toBe('Orphaned');
    expect(status.conditions?.[0]).toMatchObject({ reason: 'DecidedElsewhere' });
  });

  it('keeps the binding and times once recorded', () => {
    const first = computeReviewStatus({ review: foreign('Approved'), submission, now: NOW });
    const again = computeReviewStatus({
      review: { ...foreign('Approved'), status: first },
      submission: assetSubmission().withRevision(9).build(),
      now: '2026-01-05T00:00:00Z',
    });
    expect(again).toEqual(first);
  });

  it('names the candidate render under review, and only a finished one', () => {
    const renderJob = buildRenderJob(submission, testConfig());
    const running = computeReviewStatus({
      review: review(submission, 'Pending'),
      submission,
      renderJob: renderJobIn(renderJob, 'Running'),
      now: NOW,
    });
    expect(running.render).toBeUndefined();
    const succeeded = renderJobIn(renderJob, 'Succeeded');
    succeeded.status!.fillCheck = { required: 0.85, minFill: 0.9, passed: true, framesBelow: 0, misses: [] };
    succeeded.status!.conditions = [
      {
        type: 'FillCompliant',
        status: 'True',
        reason: 'FillMet',
        message: 'Every frame fills at least 85.0%.',
        lastTransitionTime: NOW,
      },
    ];
    const profiles = [
      {
        id: 'amazon-360',
        met: false,
        missed: ['frameCounts'],
        reasons: ['36 frames; amazon-360 accepts 24, 48, 72.'],
      },
    ];
    succeeded.status!.profiles = profiles;
    const status = computeReviewStatus({
      review: review(submission, 'Pending'),
      submission,
      renderJob: succeeded,
      now: NOW,
    });
    const prefix = 's3://assets-test/assets/B0CHAIR001/versions/1/renders/';
    expect(status.render).toEqual({
      renderJob: renderJob.metadata.name,
      framesRendered: 36,
      format: 'webp',
      posterUri: `${prefix}poster.webp`,
      framesPrefix: `${prefix}360/`,
      manifestUri: `${prefix}manifest.json`,
      fidelityUri: `${prefix}fidelity.json`,
      fillCheck: { required: 0.85, minFill: 0.9, passed: true, framesBelow: 0, misses: [] },
      fillMessage: 'Every frame fills at least 85.0%.',
      // The page shows each profile met or missed with its reasons.
      profiles,
    });
    // Once recorded, it stays even when the RenderJob is gone (the submission was deleted).
    const later = computeReviewStatus({
      review: { ...review(submission, 'Approved'), status },
      submission,
      now: NOW,
    });
    expect(later.render).toEqual(status.render);
  });

  it('shows the candidate fidelity once read, and keeps it', () => {
    const fidelity = {
      computedAt: NOW,
      renderPrefix: 's3://assets-test/assets/B0CHAIR001/versions/1/renders/',
      references: [],
      error: 'the render has no frames to compare with',
    };
    const status = computeReviewStatus({
      review: review(submission, 'Pending'),
      submission,
      fidelity,
      now: NOW,
    });
    expect(status.fidelity).toEqual(fidelity);
    const later = computeReviewStatus({
      review: { ...review(submission, 'Pending'), status },
      submission,
      now: NOW,
    });
    expect(later.fidelity).toEqual(fidelity);
  });
});

describe('reading fidelity.json', () => {
  const uri = 's3://assets-test/assets/B0CHAIR001/versions/1/renders/fidelity.json';
  const prefix = renderPrefixOf(uri);

  it('is needed once per render', () => {
    const open = review(submission, 'Pending');
    expect(prefix).toBe('s3://assets-test/assets/B0CHAIR001/versions/1/renders/');
    expect(needsFidelity(open, undefined)).toBe(false);
    expect(needsFidelity(open, uri)).toBe(true);
    const shown = { ...open, status: { fidelity: { renderPrefix: prefix, references: [] } } };
    expect(needsFidelity(shown, uri)).toBe(false);
    expect(needsFidelity(shown, uri.replace('/1/', '/2/'))).toBe(true);
  });

  it('turns a missing or invalid report into an error QA can read', () => {
    const missing = fidelityFromReport(undefined, uri, NOW);
    expect(missing).toMatchObject({ renderPrefix: prefix, references: [] });
    expect(missing.error).toMatch(/^The render wrote no s3:\/\/.*fidelity\.json; delete its RenderJob/);
    const invalid = fidelityFromReport({ apiVersion: 'shazam.dev/fidelity/v1', fidelity: {} }, uri, NOW);
    expect(invalid.error).toMatch(/fidelity\.json is not a valid fidelity report: .*references/);
    const report = {
      apiVersion: 'shazam.dev/fidelity/v1',
      seconds: 2.5,
      fidelity: { computedAt: NOW, renderPrefix: 's3://elsewhere/', references: [] },
    };
    // The review names the render it read, whatever the report says.
    expect(fidelityFromReport(report, uri, NOW)).toEqual({
      computedAt: NOW,
      renderPrefix: prefix,
      references: [],
    });
  });
});
