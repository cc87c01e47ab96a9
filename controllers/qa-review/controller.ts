/**
 * The QAReview controller: what it watches and how those events map to review keys.
 */
import { type Controller, keyOf } from '../controller.ts';
import { reconcileReview } from './reconcile.ts';

/** Watches reviews, and submissions (a new revision or a deleted submission orphans their reviews). */
export const qaReviewController: Controller = {
  kind: 'QAReview',
  watches: [
    { source: 'QAReview', keys: (review) => [keyOf(review)] },
    {
      source: 'AssetSubmission',
      keys: (submission, cache) =>
        cache.reviewsOf(submission.metadata.namespace, submission.metadata.name).map(keyOf),
    },
  ],
  concurrency: (config) => config.concurrency.qaReview,
  reconcile: reconcileReview,
};
