/**
 * The QAReview controller: what it watches and how those events map to review keys.
 */
import { type Controller, controllerOwnerKeys, keyOf } from '../controller.ts';
import { reconcileReview } from './reconcile.ts';

/**
 * Watches reviews, submissions (a new revision or a deleted submission orphans their reviews) and the
 * submissions' RenderJobs (a finished candidate render is what a review shows).
 */
export const qaReviewController: Controller = {
  kind: 'QAReview',
  watches: [
    { source: 'QAReview', keys: (review) => [keyOf(review)] },
    {
      source: 'AssetSubmission',
      keys: (submission, cache) =>
        cache.reviewsOf(submission.metadata.namespace, submission.metadata.name).map(keyOf),
    },
    {
      source: 'RenderJob',
      keys: (renderJob, cache) =>
        controllerOwnerKeys(renderJob, 'AssetSubmission').flatMap((key) => {
          const name = key.slice(renderJob.metadata.namespace.length + 1);
          return cache.reviewsOf(renderJob.metadata.namespace, name).map(keyOf);
        }),
    },
  ],
  concurrency: (config) => config.concurrency.qaReview,
  reconcile: reconcileReview,
};
