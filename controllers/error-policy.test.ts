import { describe, expect, it } from 'vitest';
import { KubeError } from '../lib/kube/errors.ts';
import { errorCode, errorPolicy } from './error-policy.ts';
import { ControllerError } from './reasons.ts';

describe('errorPolicy', () => {
  it.each([
    // A conflict heals as soon as the cache catches up: the per-key backoff starts at 5 ms.
    ['conflict', new KubeError('KUBE_CONFLICT', 'conflict', { statusCode: 409 }), { action: 'backoff' }],
    // The apiserver refused what we built: retrying soon cannot help.
    [
      'invalid object',
      new KubeError('KUBE_API_ERROR', 'invalid', {
        statusCode: 422,
        reason: 'Invalid',
        causes: ['spec.template: Required value'],
      }),
      { action: 'requeue', afterMs: 60_000 },
    ],
    // A finalizer patch's `test` op failed (a 422 without causes): a conflict, retried fast on fresh data.
    [
      'failed JSON Patch test',
      new KubeError('KUBE_API_ERROR', 'the server rejected our request', {
        statusCode: 422,
        reason: 'Invalid',
      }),
      { action: 'backoff' },
    ],
    // This replica lost its lease mid-reconcile: the new leader owns the key.
    ['fenced write', new KubeError('KUBE_WRITE_FENCED', 'not the leader'), { action: 'drop' }],
    // Network, S3 and anything unknown back off exponentially.
    ['unknown', new Error('socket hang up'), { action: 'backoff' }],
  ])('%s', (_name, error, decision) => {
    expect(errorPolicy(error)).toEqual(decision);
  });

  it('labels errors by their stable code', () => {
    expect(errorCode(new KubeError('KUBE_WRITE_FENCED', 'x'))).toBe('KUBE_WRITE_FENCED');
    expect(errorCode(new ControllerError('CONTROLLER_INVALID_OBJECT', 'x'))).toBe(
      'CONTROLLER_INVALID_OBJECT',
    );
    expect(errorCode(new Error('x'))).toBe('UNKNOWN');
  });
});
