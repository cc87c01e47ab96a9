import { Worker } from 'node:worker_threads';
import type { DeliveryLayout } from './checks/check-structure.ts';
import { type Finding, finding } from './findings.ts';
import { gltfValidatorVersion } from './gltf/run-gltf-validator.ts';
import { buildReport, type ValidationReport } from './report/report.ts';
import { VALIDATOR_VERSION, type ValidateDeliveryOptions } from './validate-delivery.ts';

/** Options of {@link validateDeliveryIsolated}: those of validateDelivery, plus the worker's heap limit. */
export interface ValidateIsolatedOptions extends ValidateDeliveryOptions {
  /** Largest V8 heap of the worker, in MiB; past it the worker stops and the report says so. */
  maxHeapMb?: number;
}

/** Defaults of {@link ValidateIsolatedOptions}. */
export const VALIDATE_ISOLATED_DEFAULTS: Required<Pick<ValidateIsolatedOptions, 'maxHeapMb'>> = {
  maxHeapMb: 512,
};

/** What the worker receives. */
export interface IsolatedRequest {
  options: Omit<ValidateDeliveryOptions, 'now'>;
  /** The clock's one reading when the caller injected a clock (functions do not cross threads). */
  fixedNow?: string;
}

/** What the worker posts back. */
export interface IsolatedResponse {
  report: ValidationReport;
  layout?: DeliveryLayout;
}

/**
 * Runs {@link validateDelivery} in a worker thread, so that no delivery can take the caller down with it:
 * a stack overflow, an exception thrown asynchronously inside a library, or the worker's heap limit all end
 * the worker, and the caller gets a Failed report whose `VALIDATION_ABORTED` finding says what stopped the
 * checks. The worker writes only under `scratchDir`, which the caller removes as before.
 *
 * Guarantees: always resolves with a report (never rejects on the delivery's account); a report always has
 * at least one error finding when the checks did not finish.
 * Caveats: a crash of native code (libvips) ends the whole process, not only the worker.
 *
 * @example
 * ```ts
 * const { report } = await validateDeliveryIsolated({ source: { zip: 'r1.zip' }, asin, revision: 1,
 *   stages: ['cleanup'], policy: DEFAULT_POLICY, scratchDir });
 * ```
 */
export async function validateDeliveryIsolated(options: ValidateIsolatedOptions): Promise<IsolatedResponse> {
  const { now, maxHeapMb, ...rest } = options;
  const startedAt = (now ?? (() => new Date()))().toISOString();
  const request: IsolatedRequest = { options: rest, ...(now ? { fixedNow: startedAt } : {}) };
  const outcome = await runWorker(request, maxHeapMb ?? VALIDATE_ISOLATED_DEFAULTS.maxHeapMb);
  if ('response' in outcome) return outcome.response;
  const findings: Finding[] = [
    ...(options.earlyFindings ?? []),
    finding('VALIDATION_ABORTED', `The checks stopped before reaching a verdict: ${outcome.reason}.`),
  ];
  return {
    report: buildReport({
      asin: options.asin,
      revision: options.revision,
      ...(options.sha256 ? { sha256: options.sha256 } : {}),
      claimedStages: options.stages,
      checkedStages: [],
      findings,
      profiles: [],
      stats: {},
      policy: options.policy,
      tools: { validator: VALIDATOR_VERSION, gltfValidator: gltfValidatorVersion() },
      startedAt,
      completedAt: (now ?? (() => new Date()))().toISOString(),
    }),
  };
}

function runWorker(
  request: IsolatedRequest,
  maxHeapMb: number,
): Promise<{ response: IsolatedResponse } | { reason: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: { response: IsolatedResponse } | { reason: string }) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    const worker = startWorker(request, maxHeapMb);
    worker.once('message', (response: IsolatedResponse) => settle({ response }));
    worker.once('error', (error) => settle({ reason: describeFailure(error, maxHeapMb) }));
    worker.once('exit', (code) =>
      settle({ reason: `the checking thread ended with exit code ${code} without a verdict` }),
    );
  });
}

function startWorker(request: IsolatedRequest, maxHeapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  const sourceRun = import.meta.url.endsWith('.ts');
  const entry = new URL(sourceRun ? './validate-worker.ts' : './validate-worker.js', import.meta.url);
  if (!sourceRun) return new Worker(entry, { workerData: request, resourceLimits });
  // From the TypeScript sources (a clone, the tests): the worker registers the same loader first, found from
  // this file rather than from the process's working directory (a Job's cwd holds no node_modules).
  const loader = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import(${loader}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: request, resourceLimits });
}

/** Words for the artist (and the log) about what stopped the worker. */
export function describeFailure(error: unknown, maxHeapMb: number): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return `checking the delivery needed more than ${maxHeapMb} MiB of memory`;
  }
  if (/call stack|stack overflow/i.test(message)) {
    return 'the delivery holds a structure nested too deeply to check (the call stack overflowed)';
  }
  return `an unexpected error (${message.slice(0, 300)})`;
}
