/**
 * The RenderJob controller: what it watches and how those events map to RenderJob keys.
 */
import { type Controller, controllerOwnerKeys, keyOf } from '../controller.ts';
import { reconcileRenderJob } from './reconcile.ts';

/** Watches RenderJobs and the render Jobs they own. */
export const renderJobController: Controller = {
  kind: 'RenderJob',
  watches: [
    { source: 'RenderJob', keys: (renderJob) => [keyOf(renderJob)] },
    { source: 'Job', keys: (job) => controllerOwnerKeys(job, 'RenderJob') },
  ],
  concurrency: (config) => config.concurrency.renderJob,
  reconcile: reconcileRenderJob,
};
