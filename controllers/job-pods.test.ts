import { describe, expect, it } from 'vitest';
import { podFailure, podPlacement } from './job-pods.ts';

describe('podFailure', () => {
  it('reads the newest pod’s termination message with its exit code', () => {
    expect(
      podFailure([
        {
          metadata: { name: 'old', creationTimestamp: '2026-01-01T00:00:00Z' },
          status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on memory.' },
        },
        {
          metadata: { name: 'new', creationTimestamp: '2026-01-01T00:01:00Z' },
          status: {
            phase: 'Failed',
            containerStatuses: [
              {
                name: 'validate',
                state: {
                  terminated: {
                    exitCode: 1,
                    reason: 'Error',
                    message: 'STORAGE_NO_SUCH_BUCKET: no bucket x.\n',
                  },
                },
              },
            ],
          },
        },
      ]),
    ).toEqual({ reason: 'Error', message: 'STORAGE_NO_SUCH_BUCKET: no bucket x (exit code 1)' });
  });

  it('names an OOM kill, an image that will not pull, and an evicted pod', () => {
    expect(
      podFailure([
        {
          metadata: { name: 'p' },
          status: {
            containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
          },
        },
      ]),
    ).toEqual({ reason: 'OOMKilled', message: 'the container ended with exit code 137' });
    expect(
      podFailure([
        {
          metadata: { name: 'p' },
          status: {
            containerStatuses: [
              {
                name: 'c',
                state: {
                  waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "shazam:9"' },
                },
              },
            ],
          },
        },
      ]),
    ).toEqual({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "shazam:9"' });
    expect(
      podFailure([
        { metadata: { name: 'p' }, status: { phase: 'Failed', reason: 'Evicted', message: 'low on memory' } },
      ]),
    ).toEqual({
      reason: 'Evicted',
      message: 'low on memory',
    });
    expect(podFailure([])).toBeUndefined();
  });

  it('says where the newest pod is placed, or the scheduler’s reason no node takes it', () => {
    const unschedulable = {
      metadata: { name: 'new', creationTimestamp: '2026-01-01T00:01:00Z' },
      status: {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/1 nodes are available: 1 Insufficient nvidia.com/gpu.',
          },
        ],
      },
    };
    const old = {
      metadata: { name: 'old', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { nodeName: 'n1' },
    };
    expect(podPlacement([old, unschedulable])).toEqual({
      state: 'unschedulable',
      pod: 'new',
      reason: 'Unschedulable',
      message: '0/1 nodes are available: 1 Insufficient nvidia.com/gpu.',
    });
    expect(podPlacement([old])).toEqual({ state: 'scheduled', pod: 'old', node: 'n1' });
    expect(podPlacement([{ metadata: { name: 'fresh' }, status: { phase: 'Pending' } }])).toEqual({
      state: 'none',
    });
    expect(podPlacement([])).toEqual({ state: 'none' });
  });
});
