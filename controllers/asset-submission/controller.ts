/**
 * The AssetSubmission controller: what it watches and how those events map to submission keys.
 */
import { type Controller, controllerOwnerKeys, keyOf } from '../controller.ts';
import { reconcileSubmission } from './reconcile.ts';

/**
 * Watches submissions (itself, and its peers of the same ASIN, which one publishing can supersede), the
 * QAReviews naming a submission, and the RenderJobs and Jobs it owns.
 */
export const assetSubmissionController: Controller = {
  kind: 'AssetSubmission',
  watches: [
    {
      source: 'AssetSubmission',
      keys: (submission, cache) => [
        keyOf(submission),
        ...cache
          .submissionsWithAsin(submission.spec.asin)
          .map(keyOf)
          .filter((key) => key !== keyOf(submission)),
      ],
    },
    {
      source: 'QAReview',
      keys: (review) => [`${review.metadata.namespace}/${review.spec.submissionRef.name}`],
    },
    { source: 'RenderJob', keys: (renderJob) => controllerOwnerKeys(renderJob, 'AssetSubmission') },
    { source: 'Job', keys: (job) => controllerOwnerKeys(job, 'AssetSubmission') },
  ],
  concurrency: (config) => config.concurrency.assetSubmission,
  reconcile: reconcileSubmission,
};
