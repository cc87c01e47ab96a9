import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Job } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../lib/kube/client.ts';
import { waitFor } from '../../lib/kube/test-support.ts';
import { createNamespace, kubeConfig } from '../../test/harness/index.ts';
import {
  JOBS,
  type LocalJobRunner,
  type LocalJobRunnerOptions,
  startLocalJobRunner,
} from './start-local-job-runner.ts';

const runners: LocalJobRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

async function runner(
  namespace: string,
  extra: Partial<LocalJobRunnerOptions> = {},
): Promise<LocalJobRunner> {
  const started = await startLocalJobRunner({
    kubeConfig: kubeConfig(),
    namespaces: [namespace],
    commandMap: { sh: ['/bin/sh'] },
    baseEnv: { PATH: '/usr/bin:/bin' },
    retryBackoff: { initialMs: 50, maxMs: 200 },
    terminationGraceMs: 500,
    ...extra,
  });
  runners.push(started);
  return started;
}

/** A Job running `sh -c <script>`, with a scratch emptyDir at /scratch. */
function shellJob(
  namespace: string,
  name: string,
  script: string,
  spec: Partial<NonNullable<V1Job['spec']>> = {},
): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace },
    spec: {
      backoffLimit: 0,
      ...spec,
      template: {
        spec: {
          restartPolicy: 'Never',
          volumes: [{ name: 'scratch', emptyDir: {} }],
          containers: [
            {
              name: 'main',
              image: 'example.invalid/tool:1',
              command: ['sh', '-c'],
              args: [script],
              volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
              ...spec.template?.spec?.containers?.[0],
            },
          ],
        },
      },
    },
  };
}

const condition = (job: V1Job | undefined, type: string) =>
  job?.status?.conditions?.find((c) => c.type === type && c.status === 'True');

async function finished(client: KubeClient, namespace: string, name: string): Promise<V1Job> {
  return waitFor(
    `Job ${name} to finish`,
    async () => {
      const job = await client.get<V1Job>(JOBS, namespace, name);
      return condition(job, 'Complete') || condition(job, 'Failed') ? job : undefined;
    },
    45_000,
    100,
  );
}

describe('startLocalJobRunner on the real apiserver', () => {
  it('runs a Job with its env, Secret and ConfigMap values and scratch volume, then marks it Complete', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('ljr-ok');
    await client.create({ group: '', version: 'v1', plural: 'secrets' }, ns, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: ns },
      stringData: { token: 's3cr3t' },
    } as never);
    await client.create({ group: '', version: 'v1', plural: 'configmaps' }, ns, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: ns },
      data: { colour: 'teal' },
    } as never);
    const local = await runner(ns);
    const job = shellJob(ns, 'hello', 'echo "$GREETING $TOKEN $COLOUR $POD" > "$OUT"; cat "$OUT"');
    const container = job.spec?.template.spec?.containers[0];
    if (container) {
      container.env = [
        { name: 'GREETING', value: 'hello' },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
        { name: 'COLOUR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'colour' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'MISSING', valueFrom: { secretKeyRef: { name: 'absent', key: 'x', optional: true } } },
        { name: 'OUT', value: '/scratch/$(GREETING).txt' },
      ];
    }
    await client.create(JOBS, ns, job);
    const done = await finished(client, ns, 'hello');

    expect(condition(done, 'Complete')?.reason).toBe('CompletionsReached');
    expect(condition(done, 'SuccessCriteriaMet')).toBeDefined();
    // `active: 0` is omitted on the wire (omitempty); ready and terminating are pointers and stay.
    expect(done.status).toMatchObject({ succeeded: 1, ready: 0, terminating: 0 });
    expect(done.status?.active ?? 0).toBe(0);
    expect(done.status?.failed ?? 0).toBe(0);
    expect(done.status?.startTime).toBeDefined();
    expect(done.status?.completionTime).toBeDefined();
    const written = await readFile(
      join(local.workDir(ns, 'hello'), 'volumes', 'scratch', 'hello.txt'),
      'utf8',
    );
    expect(written).toBe(`hello s3cr3t teal ${ns}\n`);
    expect(await readFile(local.logPath(ns, 'hello', 1), 'utf8')).toBe(`hello s3cr3t teal ${ns}\n`);
  });

  it('runs at most `concurrency` Job processes at once, however many Jobs wait, and runs them all', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('ljr-limit');
    const dir = await mkdtemp(join(tmpdir(), 'shazam-ljr-limit-'));
    const journal = join(dir, 'journal');
    // Each process notes its start and its end in one shared journal; appends of a short line are atomic.
    const script = `echo + >> ${journal}; sleep 0.4; echo - >> ${journal}`;
    const count = 16;
    for (let i = 0; i < count; i++) await client.create(JOBS, ns, shellJob(ns, `many-${i}`, script));
    const local = await runner(ns, { concurrency: 2 });
    let mostSeen = 0;
    const sampler = setInterval(() => {
      mostSeen = Math.max(mostSeen, local.running().length);
    }, 20);
    try {
      for (let i = 0; i < count; i++) {
        expect(condition(await finished(client, ns, `many-${i}`), 'Complete')).toBeTruthy();
      }
    } finally {
      clearInterval(sampler);
    }
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    let running = 0;
    let most = 0;
    for (const line of lines) {
      running += line === '+' ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(lines.filter((line) => line === '+')).toHaveLength(count);
    expect(most).toBe(2);
    expect(mostSeen).toBeLessThanOrEqual(2);
    await rm(dir, { recursive: true, force: true });
  });

  it('retries a failing Job up to backoffLimit, then marks it Failed', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('ljr-fail');
    const local = await runner(ns);
    await client.create(JOBS, ns, shellJob(ns, 'broken', 'echo attempt; exit 3', { backoffLimit: 2 }));
    const done = await finished(client, ns, 'broken');
    expect(condition(done, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    expect(condition(done, 'FailureTarget')?.reason).toBe('BackoffLimitExceeded');
    expect(condition(done, 'Complete')).toBeUndefined();
    expect(done.status).toMatchObject({ failed: 3, ready: 0 });
    expect(done.status?.active ?? 0).toBe(0);
    expect(done.status?.succeeded ?? 0).toBe(0);
    expect(done.status?.completionTime).toBeUndefined();
    for (const attempt of [1, 2, 3])
      expect(await readFile(local.logPath(ns, 'broken', attempt), 'utf8')).toBe('attempt\n');
  });

  it('kills a Job that outlives activeDeadlineSeconds and marks it DeadlineExceeded', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('ljr-deadline');
    const local = await runner(ns);
    await client.create(
      JOBS,
      ns,
      shellJob(ns, 'slow', 'exec sleep 60', { activeDeadlineSeconds: 1, backoffLimit: 5 }),
    );
    const done = await finished(client, ns, 'slow');
    expect(condition(done, 'Failed')?.reason).toBe('DeadlineExceeded');
    expect(done.status).toMatchObject({ failed: 1, ready: 0 });
    expect(done.status?.active ?? 0).toBe(0);
    await waitFor('the process to be gone', () => local.running().length === 0);
  });

  it('kills the process of a Job that is deleted', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('ljr-delete');
    const local = await runner(ns);
    await client.create(JOBS, ns, shellJob(ns, 'doomed', 'exec sleep 60'));
    await waitFor('the process to start', () => local.running().includes(`${ns}/doomed`));
    await client.delete(JOBS, ns, 'doomed', { propagationPolicy: 'Background' });
    await waitFor('the process to be killed', () => local.running().length === 0);
  });

  it('fails a Job whose command the map does not know, saying so', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('ljr-unmapped');
    await runner(ns);
    const job = shellJob(ns, 'alien', 'true');
    const container = job.spec?.template.spec?.containers[0];
    if (container) container.command = ['mystery-tool'];
    await client.create(JOBS, ns, job);
    const done = await finished(client, ns, 'alien');
    expect(condition(done, 'Failed')?.message).toMatch(/"mystery-tool".*command map/);
  });

  it('survives restarts: never re-runs a finished Job, and re-runs one left active by a stopped runner', async () => {
    const client = new KubeClient(kubeConfig());
    const ns = await createNamespace('ljr-restart');
    const first = await runner(ns);
    const workRoot = first.workRoot;
    // Each run appends a line to a file in the Job's directory (the process's working directory).
    await client.create(JOBS, ns, shellJob(ns, 'once', 'echo ran >> runs.txt'));
    await finished(client, ns, 'once');
    await client.create(JOBS, ns, shellJob(ns, 'long', 'echo ran >> runs.txt; sleep 2'));
    await waitFor(
      'the long Job to be active',
      async () => (await client.get<V1Job>(JOBS, ns, 'long')).status?.active === 1,
    );
    await waitFor('the long Job to have run', () => first.running().includes(`${ns}/long`));
    await first.stop();
    runners.splice(runners.indexOf(first), 1);
    const left = await client.get<V1Job>(JOBS, ns, 'long');
    expect(left.status?.active).toBe(1);
    expect(condition(left, 'Complete')).toBeUndefined();

    // One worker: keys are handled in the order they were listed, so 'marker' finishing proves 'once' was seen.
    await runner(ns, { workRoot, concurrency: 1 });
    const long = await finished(client, ns, 'long');
    expect(condition(long, 'Complete')).toBeDefined();
    await client.create(JOBS, ns, shellJob(ns, 'marker', 'true'));
    await finished(client, ns, 'marker');
    expect(await readFile(join(workRoot, ns, 'once', 'runs.txt'), 'utf8')).toBe('ran\n');
    expect(await readFile(join(workRoot, ns, 'long', 'runs.txt'), 'utf8')).toBe('ran\nran\n');
  });
});
