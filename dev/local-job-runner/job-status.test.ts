import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  type AttemptOutcome,
  deadlineAt,
  finishedAttemptStatus,
  isJobFinished,
  kubeTime,
  startedStatus,
} from './job-status.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const STARTED = '2026-01-01T11:59:00Z';

/** A Job that has run `failed` attempts before, with the given backoffLimit. */
function job(backoffLimit: number | undefined, failed = 0): V1Job {
  return {
    spec: { backoffLimit, template: {} },
    status: { startTime: STARTED as unknown as Date, active: 1, ready: 1, failed: failed || undefined },
  };
}

const types = (status: { conditions?: { type: string }[] }) => (status.conditions ?? []).map((c) => c.type);
const failed: AttemptOutcome = { result: 'failed', exitCode: 1, signal: null };

describe('finishedAttemptStatus', () => {
  it('completes a Job with SuccessCriteriaMet before Complete and a completionTime', () => {
    const { status, retry } = finishedAttemptStatus(job(0), { result: 'succeeded' }, NOW);
    expect(retry).toBe(false);
    expect(types(status)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(status).toMatchObject({
      succeeded: 1,
      active: 0,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    });
    expect(status.completionTime).toBe(kubeTime(NOW));
    expect(status.startTime).toBe(STARTED);
  });

  it.each([
    // backoffLimit 0: the first failure is final
    [0, 0, false, 1],
    // backoffLimit 2: failures one and two retry, the third is final
    [2, 0, true, 1],
    [2, 1, true, 2],
    [2, 2, false, 3],
    // unset backoffLimit defaults to 6
    [undefined, 5, true, 6],
    [undefined, 6, false, 7],
  ])('backoffLimit %s after %i failures: retry=%s, failed=%i', (limit, before, retry, after) => {
    const next = finishedAttemptStatus(job(limit, before), failed, NOW);
    expect(next.retry).toBe(retry);
    expect(next.status.failed).toBe(after);
    expect(next.status.active).toBe(0);
    expect(types(next.status)).toEqual(retry ? [] : ['FailureTarget', 'Failed']);
    expect(next.status.completionTime).toBeUndefined();
  });

  it('fails at once when the deadline passed, whatever the backoffLimit', () => {
    const { status, retry } = finishedAttemptStatus(job(10), { result: 'deadlineExceeded' }, NOW);
    expect(retry).toBe(false);
    expect(status.conditions?.map((c) => [c.type, c.reason])).toEqual([
      ['FailureTarget', 'DeadlineExceeded'],
      ['Failed', 'DeadlineExceeded'],
    ]);
  });
});

describe('job status helpers', () => {
  it('keeps the first startTime across attempts', () => {
    expect(startedStatus({ startTime: STARTED as unknown as Date, failed: 1 }, NOW)).toMatchObject({
      startTime: STARTED,
      active: 1,
      ready: 1,
      failed: 1,
    });
    expect(startedStatus(undefined, NOW).startTime).toBe('2026-01-01T12:00:00Z');
  });

  it('computes the deadline from startTime and tells finished Jobs apart', () => {
    const withDeadline: V1Job = {
      spec: { activeDeadlineSeconds: 30, template: {} },
      status: { startTime: STARTED as unknown as Date },
    };
    expect(deadlineAt(withDeadline)).toBe(Date.parse(STARTED) + 30_000);
    expect(deadlineAt(job(0))).toBeUndefined();
    expect(isJobFinished(job(0))).toBe(false);
    expect(isJobFinished({ status: { conditions: [{ type: 'Failed', status: 'True' }] } })).toBe(true);
    expect(isJobFinished({ status: { conditions: [{ type: 'Complete', status: 'False' }] } })).toBe(false);
  });
});
