import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { LOCAL_NODE_NAME, podForAttempt, terminatedPodStatus, terminationMessage } from './pod-record.ts';

const job: V1Job = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'chair-r1-validate-aaaaaaaa', namespace: 'studio', uid: 'uid-job' },
  spec: {
    template: {
      metadata: { labels: { 'app.kubernetes.io/component': 'validation' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'validate', image: 'shazam:1' }] },
    },
  },
};

describe('pod records of the local job runner', () => {
  it('labels the pod as the Job controller does and binds it to no real node', () => {
    const pod = podForAttempt(job, 1);
    expect(pod.metadata?.labels).toMatchObject({
      'app.kubernetes.io/component': 'validation',
      'batch.kubernetes.io/controller-uid': 'uid-job',
      'batch.kubernetes.io/job-name': 'chair-r1-validate-aaaaaaaa',
    });
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Job',
      uid: 'uid-job',
      controller: true,
    });
    expect(pod.spec?.nodeName).toBe(LOCAL_NODE_NAME);
  });

  it('takes the termination message from the file, else the log tail under FallbackToLogsOnError', () => {
    const log = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    expect(terminationMessage({ file: 'STORAGE_NO_SUCH_BUCKET: x', log, policy: 'File', failed: true })).toBe(
      'STORAGE_NO_SUCH_BUCKET: x',
    );
    expect(terminationMessage({ file: '', log, policy: 'File', failed: true })).toBe('');
    expect(terminationMessage({ file: '', log, policy: 'FallbackToLogsOnError', failed: false })).toBe('');
    const tail = terminationMessage({ file: '', log, policy: 'FallbackToLogsOnError', failed: true });
    expect(tail.endsWith('line 199')).toBe(true);
    expect(tail).not.toContain('line 100\n');
    expect(
      Buffer.byteLength(terminationMessage({ file: 'x'.repeat(10_000), log, policy: 'File', failed: true })),
    ).toBe(4096);
  });

  it('writes the terminated state a kubelet writes', () => {
    const pod = podForAttempt(job, 1);
    const failed = terminatedPodStatus(
      pod,
      { result: 'failed', exitCode: 1, signal: null },
      { startedAt: 0, finishedAt: 2000 },
      'boom',
    );
    expect(failed.phase).toBe('Failed');
    expect(failed.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
      message: 'boom',
    });
    const done = terminatedPodStatus(pod, { result: 'succeeded' }, { startedAt: 0, finishedAt: 2000 }, '');
    expect(done.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
  });
});
