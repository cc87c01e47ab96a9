import { describe, expect, it } from 'vitest';
import { controllerReference, LABELS, qaReviewName, renderJobName } from '../names.ts';
import type { AssetSubmission, QAReview, RenderJob } from '../resources.ts';
import { supersededChildren } from './children.ts';

const submission = {
  apiVersion: 'pipeline.shazam.dev/v1alpha1',
  kind: 'AssetSubmission',
  metadata: { name: 'sofa', namespace: 'ns', uid: 'u-sofa' },
  spec: { asin: 'B0PRUNE001', revision: 4 },
} as unknown as AssetSubmission;

const at = (revision: number) => ({ ...submission, spec: { ...submission.spec, revision } });

function child<T>(revision: number, name: string, owned: boolean, status?: object): T {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `u-${name}`,
      labels: { [LABELS.revision]: String(revision) },
      ownerReferences: owned ? [controllerReference(submission)] : [],
    },
    spec: {},
    status,
  } as T;
}

function cache(renderPhase: (revision: number) => string, ownedReview: (revision: number) => boolean) {
  const reviews = new Map<string, QAReview>();
  const renders = new Map<string, RenderJob>();
  for (const revision of [1, 2, 3, 4]) {
    const reviewName = qaReviewName(at(revision));
    reviews.set(reviewName, child(revision, reviewName, ownedReview(revision)));
    const renderName = renderJobName(at(revision));
    renders.set(renderName, child(revision, renderName, true, { phase: renderPhase(revision) }));
  }
  return { qaReview: (n: string) => reviews.get(n), renderJob: (n: string) => renders.get(n) };
}

const names = (children: { kind: string; revision: number }[]) =>
  children.map((c) => `${c.kind}@${c.revision}`);

describe('supersededChildren', () => {
  it('keeps the live revision and the kept ones, deletes older owned children', () => {
    const lookups = cache(
      () => 'Succeeded',
      () => true,
    );
    expect(names(supersededChildren({ submission, liveRevision: 4, revisionsKept: 1, ...lookups }))).toEqual([
      'QAReview@1',
      'RenderJob@1',
      'QAReview@2',
      'RenderJob@2',
    ]);
    expect(supersededChildren({ submission, liveRevision: 4, revisionsKept: 3, ...lookups })).toEqual([]);
  });

  it('deletes nothing without a live revision or of a revision newer than the live one', () => {
    const lookups = cache(
      () => 'Succeeded',
      () => true,
    );
    expect(supersededChildren({ submission, liveRevision: undefined, revisionsKept: 0, ...lookups })).toEqual(
      [],
    );
    expect(names(supersededChildren({ submission, liveRevision: 2, revisionsKept: 0, ...lookups }))).toEqual([
      'QAReview@1',
      'RenderJob@1',
    ]);
  });

  it('keeps an unfinished RenderJob and a QAReview the submission does not own', () => {
    const lookups = cache(
      (revision) => (revision === 1 ? 'Running' : 'Failed'),
      (revision) => revision !== 2,
    );
    const pruned = supersededChildren({ submission, liveRevision: 4, revisionsKept: 0, ...lookups });
    expect(names(pruned)).toEqual(['QAReview@1', 'RenderJob@2', 'QAReview@3', 'RenderJob@3']);
    expect(pruned[0]?.uid).toBe(`u-${qaReviewName(at(1))}`);
  });
});
