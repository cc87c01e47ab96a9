import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig, V1Job, V1JobStatus, V1Pod } from '@kubernetes/client-node';
import { exponentialBackoff } from '../../lib/kube/backoff.ts';
import { KubeClient, type ResourceRef } from '../../lib/kube/client.ts';
import { type Clock, systemClock } from '../../lib/kube/clock.ts';
import { isAlreadyExists, isNotFound } from '../../lib/kube/errors.ts';
import { createInformer, objectKey } from '../../lib/kube/informer.ts';
import { type KubeLogger, silentLogger } from '../../lib/kube/logger.ts';
import { retryOnConflict } from '../../lib/kube/status.ts';
import { WorkQueue, type WorkResult } from '../../lib/kube/work-queue.ts';
import {
  type AttemptOutcome,
  deadlineAt,
  finishedAttemptStatus,
  isJobFinished,
  startedStatus,
} from './job-status.ts';
import { podForAttempt, runningPodStatus, terminatedPodStatus, terminationMessage } from './pod-record.ts';
import { buildProcessSpec, LocalJobSpecError } from './process-spec.ts';
import { resolveEnv } from './resolve-env.ts';

/** batch/v1 Jobs. */
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', plural: 'jobs' };
const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods' };
const SERVICE_ACCOUNTS: ResourceRef = { group: '', version: 'v1', plural: 'serviceaccounts' };

/** Options of {@link startLocalJobRunner}. */
export interface LocalJobRunnerOptions {
  kubeConfig: KubeConfig;
  /** Namespaces whose Jobs to run; empty or unset: all. */
  namespaces?: string[];
  /** Only Jobs matching this label selector. */
  labelSelector?: string;
  /**
   * Maps a container's `command[0]` to the local argv that replaces it, e.g.
   * `{ shazam: [process.execPath, '<repo>/bin/shazam.js'] }`.
   */
  commandMap?: Record<string, string[]>;
  /** Run commands missing from the map as they are, found on PATH. Default false. */
  allowUnmapped?: boolean;
  /** Where each Job gets its directory (`<root>/<namespace>/<name>`); default a fresh temp directory. */
  workRoot?: string;
  /** Environment every process starts from (PATH, HOME…), before the container's env. Default none. */
  baseEnv?: Record<string, string>;
  /**
   * Job processes running at once, and reconciles at once. A Job beyond the limit waits, active but not
   * started, until a running process exits. Default 4.
   */
  concurrency?: number;
  /** Delay before retrying a failed attempt: doubles from `initialMs`, capped at `maxMs`. Default 1 s to 60 s. */
  retryBackoff?: { initialMs: number; maxMs: number };
  /** How long a stopped process gets between SIGTERM and SIGKILL. Default 5 s. */
  terminationGraceMs?: number;
  log?: KubeLogger;
  clock?: Clock;
}

/** A running local job runner. */
export interface LocalJobRunner {
  /** The root of every Job's directory. */
  workRoot: string;
  /** A Job's directory (its working directory and emptyDir volumes). */
  workDir(namespace: string, name: string): string;
  /** The log file (stdout and stderr) of a Job's attempt, counting from 1. */
  logPath(namespace: string, name: string, attempt: number): string;
  /** Keys (`namespace/name`) of the Jobs whose processes run now. */
  running(): string[];
  /** Stops watching, terminates running processes, and leaves their Jobs active for a later runner. */
  stop(): Promise<void>;
}

interface Run {
  uid: string;
  attempt: number;
  child?: ChildProcess;
  outcome?: AttemptOutcome;
  /** Set when this run is over and a retry waits until this time. */
  retryAt?: number;
}

/**
 * Runs the batch/v1 Jobs it sees as local processes and writes their status like the Job controller
 * would, for places with an apiserver but no kubelet (the demo, operator tests).
 *
 * Guarantees:
 * - At most `concurrency` Job processes run at once; a Job beyond that waits its turn, active.
 * - One process per Job at a time, running the first container's command + args (through the command map)
 *   with its env (Secret/ConfigMap references resolved), in `<workRoot>/<namespace>/<name>`; each
 *   attempt's stdout and stderr go to `attempt-<n>.log` there.
 * - Status follows the apiserver's Job rules: `startTime`, `active`/`ready` while running; then
 *   `SuccessCriteriaMet` + `Complete` with `completionTime`, or `FailureTarget` + `Failed` once
 *   `failed > backoffLimit` or `activeDeadlineSeconds` passed (the process is killed).
 * - A finished Job is never run again, so restarting the runner is safe; a Job left active by a runner
 *   that stopped or died is run again from a fresh attempt (not counted as a failure).
 * - Deleting a Job kills its process.
 *
 * Caveats: only the first container runs; `parallelism`/`completions` above 1, pod failure policies,
 * init containers and non-emptyDir volumes are ignored. A spec the runner cannot run (no command, a
 * command outside the map, a missing Secret) fails the Job, as an image pull error would never end.
 *
 * @example
 * const runner = await startLocalJobRunner({ kubeConfig, namespaces: ['shazam'],
 *   commandMap: { shazam: [process.execPath, join(repo, 'bin/shazam.js')] }, baseEnv: { PATH: '/usr/bin:/bin' } });
 */
export async function startLocalJobRunner(options: LocalJobRunnerOptions): Promise<LocalJobRunner> {
  const client = new KubeClient(options.kubeConfig, { userAgent: 'shazam-local-job-runner' });
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const workRoot = options.workRoot ?? (await mkdtemp(join(tmpdir(), 'shazam-jobs-')));
  const graceMs = options.terminationGraceMs ?? 5000;
  const retryBackoff = options.retryBackoff ?? { initialMs: 1000, maxMs: 60_000 };
  const runs = new Map<string, Run>();
  /** Every process not yet exited, by key: what `running()` reports and `stop()` waits for. */
  const live = new Map<ChildProcess, string>();
  const concurrency = options.concurrency ?? 4;
  /** Attempts between the decision to start and the spawn: they count against the limit already. */
  let starting = 0;
  /** Jobs that were due to start while the limit was reached; each is queued again when a process exits. */
  const waiting = new Set<string>();
  let stopping = false;
  /** ServiceAccounts known to exist (`namespace/name`), so each is made at most once. */
  const accounts = new Set<string>();

  const workDir = (namespace: string, name: string) => join(workRoot, namespace, name);
  const logPath = (namespace: string, name: string, attempt: number) =>
    join(workDir(namespace, name), `attempt-${attempt}.log`);

  const informer = createInformer<V1Job>({
    kubeConfig: options.kubeConfig,
    client,
    ...JOBS,
    namespaces: options.namespaces,
    labelSelector: options.labelSelector,
    resyncMs: 30_000,
    log,
    clock,
  });
  const queue = new WorkQueue<string>({
    handler: (key) => reconcile(key),
    concurrency,
    log,
    clock,
  });
  informer.on('add', (job) => queue.add(objectKey(job)));
  informer.on('update', (job) => queue.add(objectKey(job)));
  informer.on('delete', (job) => queue.add(objectKey(job)));

  /** Queues the Jobs waiting for a free slot again, once one is free. */
  function wakeWaiting(): void {
    if (live.size + starting >= concurrency) return;
    for (const key of waiting) queue.add(key);
    waiting.clear();
  }

  /** Writes a Job's status computed from its freshest copy, retrying conflicts. */
  async function writeStatus(
    namespace: string,
    name: string,
    compute: (job: V1Job) => V1JobStatus | undefined,
  ): Promise<V1Job | undefined> {
    return retryOnConflict(async () => {
      const fresh = await client.get<V1Job>(JOBS, namespace, name);
      const status = compute(fresh);
      if (!status) return fresh;
      return client.replace<V1Job>(JOBS, namespace, name, { ...fresh, status }, 'status');
    });
  }

  function terminate(child: ChildProcess): void {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = clock.setTimer(graceMs, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.once('exit', () => timer.cancel());
  }

  async function failUnrunnable(job: V1Job, error: LocalJobSpecError): Promise<void> {
    const namespace = job.metadata?.namespace ?? '';
    const name = job.metadata?.name ?? '';
    log.warn({ kind: 'Job', namespace, name, err: error.message }, 'Job cannot run locally');
    const now = clock.now();
    await writeStatus(namespace, name, (fresh) => {
      if (isJobFinished(fresh)) return undefined;
      // No retry can fix a spec, so the attempt counts as the last one.
      const last = { ...fresh, spec: { ...fresh.spec, backoffLimit: 0 } } as V1Job;
      const { status } = finishedAttemptStatus(last, { result: 'failed', exitCode: null, signal: null }, now);
      const failedCondition = status.conditions?.find((c) => c.type === 'Failed');
      if (failedCondition) failedCondition.message = error.message;
      return status;
    });
  }

  /**
   * Records the attempt's Pod. The ServiceAccount admission refuses a pod whose ServiceAccount is missing,
   * which a cluster's setup would have made: the runner makes it. A pod that cannot be recorded is logged
   * and the Job runs regardless.
   */
  async function recordPod(job: V1Job, attempt: number): Promise<V1Pod | undefined> {
    const pod = podForAttempt(job, attempt);
    const namespace = job.metadata?.namespace ?? '';
    const account = pod.spec?.serviceAccountName || 'default';
    try {
      if (!accounts.has(`${namespace}/${account}`)) {
        try {
          await client.create(SERVICE_ACCOUNTS, namespace, {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: { name: account, namespace },
          });
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
        }
        accounts.add(`${namespace}/${account}`);
      }
      return await client.create<V1Pod>(PODS, namespace, pod);
    } catch (error) {
      log.warn({ kind: 'Job', namespace, name: job.metadata?.name, err: String(error) }, 'Pod not recorded');
      return undefined;
    }
  }

  /** Writes a recorded pod's status; a failure is logged (the pod is a record, the Job status decides). */
  async function writePodStatus(pod: V1Pod, status: V1Pod['status']): Promise<void> {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    try {
      await retryOnConflict(async () => {
        const fresh = await client.get<V1Pod>(PODS, namespace, name);
        return client.replace<V1Pod>(PODS, namespace, name, { ...fresh, status }, 'status');
      });
    } catch (error) {
      log.warn({ kind: 'Pod', namespace, name, err: String(error) }, 'Pod status not recorded');
    }
  }

  async function startAttempt(job: V1Job, attempt: number): Promise<void> {
    const namespace = job.metadata?.namespace ?? '';
    const name = job.metadata?.name ?? '';
    const uid = job.metadata?.uid ?? '';
    const container = job.spec?.template?.spec?.containers?.[0];
    const env = container ? await resolveEnv(client, job, container) : [];
    const spec = buildProcessSpec({
      job,
      env,
      commandMap: options.commandMap ?? {},
      allowUnmapped: options.allowUnmapped ?? false,
      workDir: workDir(namespace, name),
      baseEnv: options.baseEnv ?? {},
    });
    for (const directory of spec.directories) await mkdir(directory, { recursive: true });
    const started = await writeStatus(namespace, name, (fresh) =>
      isJobFinished(fresh) ? undefined : startedStatus(fresh.status, clock.now()),
    );
    if (!started || isJobFinished(started) || stopping) return;
    await writeFile(spec.terminationMessagePath, '');
    const pod = await recordPod(job, attempt);
    const startedAt = clock.now();
    const running = pod ? writePodStatus(pod, runningPodStatus(pod, startedAt)) : Promise.resolve();
    const logFile = createWriteStream(logPath(namespace, name, attempt), { flags: 'a' });
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { uid, attempt, child };
    live.set(child, `${namespace}/${name}`);
    const release = () => {
      if (live.delete(child)) wakeWaiting();
    };
    child.once('close', release);
    child.once('error', release);
    runs.set(`${namespace}/${name}`, run);
    child.stdout?.pipe(logFile, { end: false });
    child.stderr?.pipe(logFile, { end: false });
    const key = `${namespace}/${name}`;
    let ended = false;
    /** The pod's terminated state, written before the Job's status, as a kubelet's comes first. */
    const recordTermination = async (outcome: AttemptOutcome): Promise<void> => {
      if (!pod) return;
      await running;
      const [file, logText] = await Promise.all([
        readFile(spec.terminationMessagePath, 'utf8').catch(() => ''),
        readFile(logPath(namespace, name, attempt), 'utf8').catch(() => ''),
      ]);
      const message = terminationMessage({
        file,
        log: logText,
        policy: spec.terminationMessagePolicy,
        failed: outcome.result !== 'succeeded',
      });
      await writePodStatus(
        pod,
        terminatedPodStatus(pod, outcome, { startedAt, finishedAt: clock.now() }, message),
      );
    };
    const end = (outcome: AttemptOutcome) => {
      if (ended) return;
      ended = true;
      // The run keeps its child until the pod is recorded, so no reconcile writes the Job's status first.
      logFile.once('finish', () => {
        void recordTermination(run.outcome ?? outcome).finally(() => {
          if (!run.outcome) run.outcome = outcome;
          run.child = undefined;
          queue.add(key);
        });
      });
      logFile.end();
    };
    child.on('error', (error) => {
      logFile.write(`local job runner: could not start ${spec.file}: ${error.message}\n`);
      end({ result: 'failed', exitCode: null, signal: null });
    });
    child.on('close', (code, signal) => {
      end(code === 0 ? { result: 'succeeded' } : { result: 'failed', exitCode: code, signal });
    });
    log.info(
      { kind: 'Job', namespace, name, attempt, command: [spec.file, ...spec.args] },
      'Started Job process',
    );
  }

  async function reconcile(key: string): Promise<WorkResult | undefined> {
    if (stopping) return undefined;
    const [namespace = '', name = ''] = key.split('/');
    const job = informer.get(namespace, name);
    const run = runs.get(key);
    if (!job || (run && run.uid !== job.metadata?.uid)) {
      // Deleted (or replaced by a new Job of the same name): its process must not outlive it.
      if (run?.child) terminate(run.child);
      runs.delete(key);
      if (!job) return undefined;
    }
    if (isJobFinished(job) || job.spec?.suspend) {
      const current = runs.get(key);
      if (current?.child) terminate(current.child);
      if (!current?.child) runs.delete(key);
      return undefined;
    }
    const current = runs.get(key);
    const now = clock.now();
    const deadline = deadlineAt(job);

    if (current?.outcome) {
      const outcome = current.outcome;
      let retry = false;
      try {
        await writeStatus(namespace, name, (fresh) => {
          if (isJobFinished(fresh)) return undefined;
          const next = finishedAttemptStatus(fresh, outcome, clock.now());
          retry = next.retry;
          return next.status;
        });
      } catch (error) {
        if (isNotFound(error)) {
          runs.delete(key);
          return undefined;
        }
        throw error;
      }
      log.info(
        { kind: 'Job', namespace, name, attempt: current.attempt, outcome: outcome.result },
        'Job process ended',
      );
      if (!retry) {
        runs.delete(key);
        return undefined;
      }
      const delay = exponentialBackoff(current.attempt, retryBackoff);
      runs.set(key, { uid: current.uid, attempt: current.attempt, retryAt: now + delay });
      return { requeueAfterMs: delay };
    }

    if (current?.child) {
      if (deadline !== undefined && now >= deadline) {
        current.outcome = { result: 'deadlineExceeded' };
        terminate(current.child);
        return undefined;
      }
      return deadline !== undefined ? { requeueAfterMs: deadline - now } : undefined;
    }

    if (deadline !== undefined && now >= deadline) {
      runs.set(key, {
        uid: job.metadata?.uid ?? '',
        attempt: current?.attempt ?? 0,
        outcome: { result: 'deadlineExceeded' },
      });
      queue.add(key);
      return undefined;
    }
    if (current?.retryAt !== undefined && now < current.retryAt)
      return { requeueAfterMs: current.retryAt - now };

    if (live.size + starting >= concurrency) {
      waiting.add(key);
      return undefined;
    }
    waiting.delete(key);
    const attempt = (current?.attempt ?? 0) + 1;
    starting++;
    try {
      await startAttempt(job, attempt);
    } catch (error) {
      if (error instanceof LocalJobSpecError) {
        await failUnrunnable(job, error);
        runs.delete(key);
        return undefined;
      }
      if (isNotFound(error)) return undefined;
      throw error;
    } finally {
      starting--;
      wakeWaiting();
    }
    const started = runs.get(key);
    if (started?.child) {
      const startedJob = informer.get(namespace, name) ?? job;
      const due =
        deadlineAt(startedJob) ??
        (job.spec?.activeDeadlineSeconds ? now + job.spec.activeDeadlineSeconds * 1000 : undefined);
      if (due !== undefined) return { requeueAfterMs: Math.max(0, due - clock.now()) };
    }
    return undefined;
  }

  await informer.start();
  log.info({ workRoot, namespaces: options.namespaces ?? [] }, 'Started local job runner');

  return {
    workRoot,
    workDir,
    logPath,
    running: () => [...new Set(live.values())],
    async stop() {
      stopping = true;
      informer.stop();
      await queue.shutdown(false);
      const exits: Promise<unknown>[] = [];
      for (const child of live.keys()) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        exits.push(new Promise((resolve) => child.once('close', resolve)));
        terminate(child);
      }
      await Promise.all(exits);
      runs.clear();
      client.close();
    },
  };
}
