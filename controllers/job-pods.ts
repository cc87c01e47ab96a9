/**
 * What a Job's pods say about it, as the scheduler and the kubelet recorded it: why a failed pod failed
 * (the container's termination message — what the program wrote, or its last log lines under
 * `FallbackToLogsOnError` — its terminated reason and exit code, a waiting reason such as
 * `ImagePullBackOff`, or the pod's own reason such as `Evicted`), and where a pod is placed or why no node
 * takes it (the scheduler's `Unschedulable` and its message).
 */
import type { Context } from './context.ts';
import { type Job, RESOURCES } from './resources.ts';

/** Why a Job's pod failed, from its termination message or last state. */
export interface PodFailure {
  /** A short CamelCase cause: `OOMKilled`, `ImagePullBackOff`, `Error`, … */
  reason: string;
  /** What the program or the kubelet said. */
  message: string;
}

/** The label the Job controller puts on every pod of a Job: the Job's uid. */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';

/** Where a Job's newest pod stands with the scheduler. */
export type PodPlacement =
  | { state: 'none' }
  | { state: 'scheduled'; pod: string; node: string }
  | { state: 'unschedulable'; pod: string; reason: string; message: string };

/** The slice of a core/v1 Pod read here. */
export interface PodView {
  metadata: { name: string; creationTimestamp?: string };
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    reason?: string;
    message?: string;
    containerStatuses?: {
      name: string;
      state?: ContainerState;
      lastState?: ContainerState;
    }[];
  };
}

interface ContainerState {
  terminated?: { exitCode?: number; reason?: string; message?: string; signal?: number };
  waiting?: { reason?: string; message?: string };
}

const MAX_MESSAGE = 1024;

function clip(text: string): string {
  const trimmed = text.trim();
  return trimmed.length <= MAX_MESSAGE ? trimmed : `${trimmed.slice(0, MAX_MESSAGE - 1)}…`;
}

/** The failure of one container state, if it says one. */
function fromState(state: ContainerState | undefined): PodFailure | undefined {
  const terminated = state?.terminated;
  if (terminated && terminated.exitCode !== 0) {
    const reason = terminated.reason || 'Error';
    const exit = `exit code ${terminated.exitCode ?? 'unknown'}`;
    const said = terminated.message?.trim().replace(/[.\s]+$/, '');
    return { reason, message: clip(said ? `${said} (${exit})` : `the container ended with ${exit}`) };
  }
  const waiting = state?.waiting;
  if (waiting?.reason && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing') {
    return { reason: waiting.reason, message: clip(waiting.message || waiting.reason) };
  }
  return undefined;
}

/**
 * The failure the newest pod says, or undefined when no pod says one. Pure.
 *
 * @example
 * podFailure([{ metadata: { name: 'p' }, status: { containerStatuses: [{ name: 'validate',
 *   state: { terminated: { exitCode: 1, reason: 'Error', message: 'STORAGE_NO_SUCH_BUCKET: …' } } }] } }])
 * // → { reason: 'Error', message: 'STORAGE_NO_SUCH_BUCKET: … (exit code 1)' }
 */
export function podFailure(pods: readonly PodView[]): PodFailure | undefined {
  for (const pod of newestFirst(pods)) {
    for (const container of pod.status?.containerStatuses ?? []) {
      const failure = fromState(container.state) ?? fromState(container.lastState);
      if (failure) return failure;
    }
    if (pod.status?.phase === 'Failed' && pod.status.reason) {
      return { reason: pod.status.reason, message: clip(pod.status.message || pod.status.reason) };
    }
  }
  return undefined;
}

/**
 * Where the newest pod stands with the scheduler: on a node, refused by every node (the scheduler's reason
 * and message, such as `0/3 nodes are available: 3 Insufficient nvidia.com/gpu.`), or not yet considered.
 * Pure.
 *
 * @example
 * podPlacement([{ metadata: { name: 'p' }, status: { conditions: [{ type: 'PodScheduled', status: 'False',
 *   reason: 'Unschedulable', message: '0/1 nodes are available: …' }] } }])
 * // → { state: 'unschedulable', pod: 'p', reason: 'Unschedulable', message: '0/1 nodes are available: …' }
 */
export function podPlacement(pods: readonly PodView[]): PodPlacement {
  const pod = newestFirst(pods)[0];
  if (!pod) return { state: 'none' };
  const name = pod.metadata.name;
  if (pod.spec?.nodeName) return { state: 'scheduled', pod: name, node: pod.spec.nodeName };
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  if (scheduled?.status !== 'False') return { state: 'none' };
  const reason = scheduled.reason || 'Unschedulable';
  return { state: 'unschedulable', pod: name, reason, message: clip(scheduled.message || reason) };
}

function newestFirst(pods: readonly PodView[]): PodView[] {
  return [...pods].sort((a, b) =>
    (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
  );
}

/**
 * The pods of `job` as the operator's pod cache holds them (pods labelled as SHAZAM's, indexed by the Job
 * controller's uid label): no request while a Job runs, however often its owner is reconciled.
 */
export function cachedJobPods(ctx: Context, job: Job): readonly PodView[] {
  return ctx.cache.jobPods(job);
}

/**
 * The pods of `job` read from the apiserver, found by the Job controller's uid label: for the one moment the
 * cache may not say it yet (see {@link jobPodsSayingWhy}).
 */
export async function listJobPods(ctx: Context, job: Job): Promise<PodView[]> {
  const uid = job.metadata.uid;
  if (!uid) return [];
  const pods = await ctx.kube.list<PodView & { metadata: object }>(RESOURCES.pod, {
    namespace: job.metadata.namespace,
    labelSelector: `${JOB_CONTROLLER_UID_LABEL}=${uid}`,
  });
  return pods.items;
}

/**
 * The pods of `job` from the cache; for a failed Job whose cached pods say no failure, read once from the
 * apiserver.
 *
 * Why: the Job's `Failed` condition and its pod's terminated state arrive through two watches, in either
 * order. The Job controller writes `Failed` only after it saw the pod fail, so the apiserver already has the
 * pod's reason; the cache may be a step behind. Reading once there keeps the reason in a status that is
 * never written again (a failed render is settled).
 */
export async function jobPodsSayingWhy(ctx: Context, job: Job, failed: boolean): Promise<readonly PodView[]> {
  const cached = cachedJobPods(ctx, job);
  if (!failed || podFailure(cached) !== undefined) return cached;
  return listJobPods(ctx, job);
}

/** Reads the pods of `job` and says why they failed. */
export async function readPodFailure(ctx: Context, job: Job): Promise<PodFailure | undefined> {
  return podFailure(await jobPodsSayingWhy(ctx, job, true));
}
