import type { V1Job, V1JobCondition, V1JobStatus } from '@kubernetes/client-node';

/** Default `spec.backoffLimit` of a Job, as the apiserver defaults it. */
export const DEFAULT_BACKOFF_LIMIT = 6;

/** True when the Job has a `Complete` or `Failed` condition set to True. */
export function isJobFinished(job: V1Job): boolean {
  return (job.status?.conditions ?? []).some(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

/** The terminal state of one local run of a Job's pod template. */
export type AttemptOutcome =
  | { result: 'succeeded' }
  | { result: 'failed'; exitCode: number | null; signal: string | null }
  | { result: 'deadlineExceeded' };

/** Format `metav1.Time` round-trips unchanged: RFC 3339 at second precision. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function condition(type: string, reason: string, message: string, now: string): V1JobCondition {
  // The client types declare Date fields, but the wire format is the RFC 3339 string.
  return {
    type,
    status: 'True',
    reason,
    message,
    lastProbeTime: now as unknown as Date,
    lastTransitionTime: now as unknown as Date,
  };
}

/**
 * The status of a Job whose attempt has just started: `startTime` (kept when already set), one active and
 * ready pod, and the counters carried over.
 */
export function startedStatus(current: V1JobStatus | undefined, now: number): V1JobStatus {
  return {
    ...current,
    startTime: (current?.startTime ?? kubeTime(now)) as unknown as Date,
    active: 1,
    ready: 1,
    terminating: 0,
    uncountedTerminatedPods: {},
  };
}

/**
 * The status after an attempt ended, as the Job controller writes it, and whether to try again.
 *
 * Guarantees (the apiserver's Job status rules): a success sets `SuccessCriteriaMet` and `Complete`
 * together with `completionTime`; a final failure sets `FailureTarget` and `Failed` and no completionTime;
 * a finished Job has `active`, `ready`, `terminating` at 0, no uncounted pods, and a `startTime`.
 * `failed` grows by one per failed attempt; the Job fails once `failed > backoffLimit`, or at once when the
 * deadline passed.
 */
export function finishedAttemptStatus(
  job: V1Job,
  outcome: AttemptOutcome,
  now: number,
): { status: V1JobStatus; retry: boolean } {
  const current = job.status ?? {};
  const at = kubeTime(now);
  const base: V1JobStatus = {
    ...current,
    startTime: (current.startTime ?? at) as unknown as Date,
    active: 0,
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
  };
  const conditions = [...(current.conditions ?? [])];
  if (outcome.result === 'succeeded') {
    return {
      retry: false,
      status: {
        ...base,
        succeeded: (current.succeeded ?? 0) + 1,
        completionTime: at as unknown as Date,
        conditions: [
          ...conditions,
          condition(
            'SuccessCriteriaMet',
            'CompletionsReached',
            'Reached expected number of succeeded pods',
            at,
          ),
          condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', at),
        ],
      },
    };
  }
  const failed = (current.failed ?? 0) + 1;
  const backoffLimit = job.spec?.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
  let terminal: { reason: string; message: string } | undefined;
  if (outcome.result === 'deadlineExceeded') {
    terminal = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
  } else if (failed > backoffLimit) {
    terminal = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  }
  if (!terminal) return { retry: true, status: { ...base, failed } };
  return {
    retry: false,
    status: {
      ...base,
      failed,
      conditions: [
        ...conditions,
        condition('FailureTarget', terminal.reason, terminal.message, at),
        condition('Failed', terminal.reason, terminal.message, at),
      ],
    },
  };
}

/** When the Job's `activeDeadlineSeconds` runs out (ms since the epoch), or `undefined` when it has none. */
export function deadlineAt(job: V1Job): number | undefined {
  const seconds = job.spec?.activeDeadlineSeconds;
  const start = job.status?.startTime;
  if (seconds === undefined || seconds === null || !start) return undefined;
  return new Date(start as unknown as string).getTime() + seconds * 1000;
}
