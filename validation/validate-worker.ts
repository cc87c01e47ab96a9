/**
 * Worker entry of {@link validateDeliveryIsolated}: runs {@link validateDelivery} on the options it is given
 * and posts back the report and the layout. Anything that goes wrong in here (a stack overflow, a heap
 * limit, an exception thrown where no caller can catch it) ends this worker only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { validateDelivery } from './validate-delivery.ts';
import type { IsolatedRequest, IsolatedResponse } from './validate-isolated.ts';

const request = workerData as IsolatedRequest;
const { report, layout } = await validateDelivery({
  ...request.options,
  ...(request.fixedNow ? { now: () => new Date(request.fixedNow!) } : {}),
});
const response: IsolatedResponse = { report, ...(layout ? { layout } : {}) };
parentPort!.postMessage(response);
