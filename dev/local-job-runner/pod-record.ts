/**
 * The Pod a Job's attempt would be under a kubelet, as the local job runner records it: created when the
 * attempt starts (bound to no real node, so no scheduler or kubelet ever runs it), its status written when
 * the process ends with the container's terminated state and termination message, as a kubelet writes
 * them. Pure builders; the runner does the writes.
 */
import type { V1Job, V1Pod, V1PodStatus } from '@kubernetes/client-node';
import type { AttemptOutcome } from './job-status.ts';
import { kubeTime } from './job-status.ts';

/** The node name recorded pods are bound to: no node of that name exists, so nothing runs them. */
export const LOCAL_NODE_NAME = 'shazam-local-job-runner';
/** The kubelet keeps at most this many bytes of a termination message. */
export const MAX_TERMINATION_MESSAGE = 4096;
/** Under `FallbackToLogsOnError`, the kubelet uses at most this many bytes of the log's last 80 lines. */
const FALLBACK_LOG_BYTES = 2048;
const FALLBACK_LOG_LINES = 80;

/** The Pod of a Job's attempt: the template with the Job controller's labels and owner reference. */
export function podForAttempt(job: V1Job, attempt: number): V1Pod {
  const template = job.spec?.template;
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${name.slice(0, 57)}-`,
      namespace: job.metadata?.namespace,
      labels: {
        ...template?.metadata?.labels,
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': name,
        'controller-uid': uid,
        'job-name': name,
      },
      annotations: { 'batch.kubernetes.io/job-completion-index': '0', 'shazam.dev/attempt': String(attempt) },
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: { ...template?.spec, containers: template?.spec?.containers ?? [], nodeName: LOCAL_NODE_NAME },
  };
}

/** The status of a pod whose container runs. */
export function runningPodStatus(pod: V1Pod, startedAt: number): V1PodStatus {
  const at = kubeTime(startedAt) as unknown as Date;
  return {
    phase: 'Running',
    startTime: at,
    containerStatuses: (pod.spec?.containers ?? []).map((container) => ({
      name: container.name,
      image: container.image ?? '',
      imageID: '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: at } },
    })),
  };
}

/**
 * The termination message a kubelet records: the file's content (at most 4096 bytes); when it is empty, the
 * policy is `FallbackToLogsOnError` and the container failed, the log's tail (80 lines, 2048 bytes).
 */
export function terminationMessage(input: {
  file: string;
  log: string;
  policy: 'File' | 'FallbackToLogsOnError';
  failed: boolean;
}): string {
  const fromFile = Buffer.from(input.file, 'utf8').subarray(0, MAX_TERMINATION_MESSAGE).toString('utf8');
  if (fromFile.trim() !== '' || input.policy !== 'FallbackToLogsOnError' || !input.failed) return fromFile;
  const tail = input.log
    .split('\n')
    .slice(-FALLBACK_LOG_LINES - 1)
    .join('\n');
  const bytes = Buffer.from(tail, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - FALLBACK_LOG_BYTES)).toString('utf8');
}

/** The status of a pod whose container ended with `outcome`. */
export function terminatedPodStatus(
  pod: V1Pod,
  outcome: AttemptOutcome,
  times: { startedAt: number; finishedAt: number },
  message: string,
): V1PodStatus {
  const succeeded = outcome.result === 'succeeded';
  const exitCode =
    outcome.result === 'failed'
      ? (outcome.exitCode ?? (outcome.signal === 'SIGKILL' ? 137 : 143))
      : succeeded
        ? 0
        : 143;
  const reason = succeeded
    ? 'Completed'
    : outcome.result === 'deadlineExceeded'
      ? 'DeadlineExceeded'
      : 'Error';
  const terminated = {
    exitCode,
    reason,
    startedAt: kubeTime(times.startedAt) as unknown as Date,
    finishedAt: kubeTime(times.finishedAt) as unknown as Date,
    ...(message ? { message } : {}),
  };
  return {
    phase: succeeded ? 'Succeeded' : 'Failed',
    startTime: kubeTime(times.startedAt) as unknown as Date,
    ...(outcome.result === 'deadlineExceeded'
      ? {
          reason: 'DeadlineExceeded',
          message: 'Pod was active on the node longer than the specified deadline',
        }
      : {}),
    containerStatuses: (pod.spec?.containers ?? []).map((container) => ({
      name: container.name,
      image: container.image ?? '',
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { terminated },
    })),
  };
}
