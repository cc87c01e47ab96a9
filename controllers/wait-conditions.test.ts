import { describe, expect, it } from 'vitest';
import { KubeClient } from '../lib/kube/client.ts';
import type { Condition } from '../lib/kube/status.ts';
import { createNamespace, harness, kubeConfig } from '../test/harness/index.ts';
import { buildQAReview, buildRenderJob } from './asset-submission/children.ts';
import type { Assessment } from './asset-submission/plan.ts';
import { computeSubmissionStatus } from './asset-submission/status.ts';
import { renderJobJobName } from './names.ts';
import { computeReviewStatus } from './qa-review/status.ts';
import { assessRenderJob } from './render-job/plan.ts';
import { renderJobStatus } from './render-job/reconcile.ts';
import { type AssetSubmission, type QAReview, RESOURCES, type RenderJob } from './resources.ts';
import { assetSubmission, job, testConfig } from './test-support/builders.ts';

const NOW = '2026-12-01T10:00:00.000Z';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real kubectl against the harness, as a user scripting a wait would run it. */
async function kubectl(...args: string[]): Promise<Run> {
  const { execFile } = await import('node:child_process');
  const info = harness();
  return new Promise((resolve) => {
    execFile(info.kubectlPath, ['--kubeconfig', info.kubeconfigPath, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

type Stored = { metadata: { name: string; generation?: number } };

/** Creates `object`, then writes `status(created)` through the status subresource as the operator does. */
async function createWithStatus<T extends Stored>(
  client: KubeClient,
  ref: (typeof RESOURCES)[keyof typeof RESOURCES],
  namespace: string,
  object: T,
  status: (created: T) => object,
): Promise<T> {
  // Only what a user's manifest carries: no status, uid or resourceVersion from the builders.
  const { status: _, ...body } = object as T & { status?: unknown };
  const { name, labels, annotations } = object.metadata as Stored['metadata'] & {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  const created = await client.create(ref, namespace, {
    ...body,
    metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
  } as never);
  await client.patch(ref, namespace, object.metadata.name, { status: status(created as T) }, 'merge', {
    subresource: 'status',
  });
  return created as T;
}

/** Waits with kubectl for `condition` on `resource`; the exit code and how long it took. */
async function wait(resource: string, namespace: string, condition: string, timeout: string) {
  const started = Date.now();
  const run = await kubectl(
    'wait',
    '-n',
    namespace,
    `--for=condition=${condition}`,
    `--timeout=${timeout}`,
    resource,
  );
  return { ...run, seconds: (Date.now() - started) / 1000 };
}

async function conditionsOf(
  resource: string,
  namespace: string,
): Promise<{ generation: number; conditions: Condition[] }> {
  const run = await kubectl('get', '-n', namespace, resource, '-o', 'json');
  const object = JSON.parse(run.stdout) as {
    metadata: { generation: number };
    status: { conditions: Condition[] };
  };
  return { generation: object.metadata.generation, conditions: object.status.conditions };
}

describe('status you can wait on (kubectl wait on the real apiserver)', () => {
  it('a failed RenderJob: --for=condition=Failed returns at once, Complete would wait forever', async () => {
    const client = new KubeClient(kubeConfig());
    const namespace = await createNamespace('wait');
    const config = testConfig();
    const renderJob = buildRenderJob(assetSubmission().build(), config);
    await createWithStatus(client, RESOURCES.renderJob, namespace, renderJob, (created: RenderJob) => {
      const planned = assessRenderJob(
        {
          renderJob: created,
          job: job(renderJobJobName(created), 'Failed'),
          manifest: { state: 'unread' },
          now: NOW,
        },
        config,
      ).status;
      return renderJobStatus(created, planned, NOW);
    });
    const resource = `renderjobs.pipeline.shazam.dev/${renderJob.metadata.name}`;
    const failed = await wait(resource, namespace, 'Failed', '30s');
    expect(failed.code, failed.stderr).toBe(0);
    expect(failed.stdout).toMatch(/condition met/);
    expect(failed.seconds).toBeLessThan(10);
    const complete = await wait(resource, namespace, 'Complete', '1s');
    expect(complete.code).not.toBe(0);
    expect(complete.stderr).toMatch(/timed out/);
    const { generation, conditions } = await conditionsOf(resource, namespace);
    expect(conditions.map((c) => [c.type, c.status, c.observedGeneration])).toEqual([
      ['Complete', 'False', generation],
      ['Failed', 'True', generation],
    ]);
  });

  it('an orphaned QAReview fails terminally; a decided one is Decided and not Failed', async () => {
    const client = new KubeClient(kubeConfig());
    const namespace = await createNamespace('wait');
    const orphan = buildQAReview(assetSubmission().build());
    await createWithStatus(client, RESOURCES.qaReview, namespace, orphan, (created: QAReview) =>
      computeReviewStatus({ review: created, submission: undefined, now: NOW }),
    );
    const resource = `qareviews.pipeline.shazam.dev/${orphan.metadata.name}`;
    expect((await wait(resource, namespace, 'Failed', '30s')).code).toBe(0);
    const { generation, conditions } = await conditionsOf(resource, namespace);
    for (const condition of conditions) expect(condition.observedGeneration, condition.type).toBe(generation);
    expect(conditions.map((c) => [c.type, c.status])).toEqual([
      ['Decided', 'False'],
      ['Failed', 'True'],
    ]);
  });

  it('a submission that failed validation: Failed is True, Ready False, every condition observed', async () => {
    const client = new KubeClient(kubeConfig());
    const namespace = await createNamespace('wait');
    const submission = assetSubmission().build();
    await createWithStatus(
      client,
      RESOURCES.assetSubmission,
      namespace,
      submission,
      (created: AssetSubmission) => {
        const message = 'the archive holds no model';
        const assessment = {
          phase: 'ValidationFailed',
          message,
          conditions: [
            { type: 'Validated', status: 'False', reason: 'ValidationFailed', message },
            { type: 'Ready', status: 'False', reason: 'ValidationFailed', message },
          ],
          validation: undefined,
          version: undefined,
          children: {},
          rejection: undefined,
          published: undefined,
        } as unknown as Assessment;
        return computeSubmissionStatus(created, assessment, NOW);
      },
    );
    const resource = `assetsubmissions.pipeline.shazam.dev/${submission.metadata.name}`;
    const failed = await wait(resource, namespace, 'Failed', '30s');
    expect(failed.code, failed.stderr).toBe(0);
    expect((await wait(resource, namespace, 'Ready', '1s')).code).not.toBe(0);
    const { generation, conditions } = await conditionsOf(resource, namespace);
    for (const condition of conditions) expect(condition.observedGeneration, condition.type).toBe(generation);
    expect(conditions.find((c) => c.type === 'Failed')).toMatchObject({
      status: 'True',
      reason: 'ValidationFailed',
      message: 'the archive holds no model',
    });
  });
});
