import type { KubernetesObject, V1Job, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_CONTROLLER_UID_LABEL } from '../controllers/job-pods.ts';
import { type Job, RESOURCES, type RenderJob } from '../controllers/resources.ts';
import { podForAttempt } from '../dev/local-job-runner/pod-record.ts';
import { resourcePath } from '../lib/kube/client.ts';
import type { OperatorHandle } from './operator.ts';
import { createTestBed, submissionManifest, type TestBed, waitFor } from './test-support/fixture.ts';
import { flow } from './test-support/flow.ts';
import { finishJob } from './test-support/job-completion.ts';

const UNSCHEDULABLE = '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.';
const NODE = 'gpu-node-1';

function condition(renderJob: RenderJob, type: string) {
  return renderJob.status?.conditions?.find((c) => c.type === type);
}

// No scheduler, kubelet or Job controller runs here: the test writes the render Job's pod and its status
// as they would (the pod from the local job runner's builder), and finishes the Job itself.
describe('the RenderJob reconcile reads its Job’s pods from the pod cache (real apiserver)', () => {
  let bed: TestBed;
  let operator: OperatorHandle;

  beforeAll(async () => {
    bed = await createTestBed('op-pods');
    operator = await bed.start();
    await operator.synced;
  });
  afterAll(async () => {
    await operator?.stop();
  });

  it('says the scheduler’s reason, the node and the pod’s failure without listing pods on any pass', async () => {
    const { kube, namespace } = bed;
    const f = flow(bed, 'vase');
    await f.create(submissionManifest(bed, 'vase', 'B0PODCACHE', 1));
    await f.completeValidation('Passed');
    const job = await f.renderJobJob();
    const renderJobName = (await f.renderJob()).metadata.name;
    const readRenderJob = () =>
      kube.get<RenderJob & KubernetesObject>(RESOURCES.renderJob, namespace, renderJobName);
    await waitFor('the RenderJob to run', async () =>
      (await readRenderJob()).status?.phase === 'Running' ? true : undefined,
    );

    // The Job controller's pod, not yet placed; then the scheduler gives up on it.
    const template = podForAttempt(job as unknown as V1Job, 1);
    const { nodeName: _none, ...unplaced } = template.spec ?? { containers: [] };
    // The render ServiceAccount the manifests install (no controller makes one here).
    await kube.create({ group: '', version: 'v1', plural: 'serviceaccounts' }, namespace, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: unplaced.serviceAccountName ?? 'default', namespace },
    });
    const created = await kube.create<V1Pod & KubernetesObject>(RESOURCES.pod, namespace, {
      ...template,
      spec: unplaced,
    } as KubernetesObject);
    const podName = created.metadata?.name ?? '';
    await kube.replace(
      RESOURCES.pod,
      namespace,
      podName,
      {
        ...created,
        status: {
          phase: 'Pending',
          conditions: [
            { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: UNSCHEDULABLE },
          ],
        },
      } as KubernetesObject,
      'status',
    );
    await waitFor('the unschedulable pod in the cache', async () =>
      operator.cache.jobPods(job).find((pod) => pod.status?.conditions?.[0]?.reason === 'Unschedulable'),
    );
    // The cache keeps only what is read: no pod template, one label, no managedFields.
    const cached = operator.cache.jobPods(job as Job);
    expect(cached).toHaveLength(1);
    expect(cached[0]?.metadata.name).toBe(podName);
    expect(cached[0]?.spec).toBeUndefined();
    expect(cached[0]).not.toHaveProperty('metadata.managedFields');
    expect((cached[0]?.metadata as { labels?: unknown } | undefined)?.labels).toEqual({
      [JOB_CONTROLLER_UID_LABEL]: job.metadata.uid,
    });

    // Every pass over the RenderJob reads the pods, and none sends a GET.
    const getsBefore = operator.kube.stats.byMethod.GET ?? 0;
    operator.resyncNow();
    await operator.idle();
    const waiting = await readRenderJob();
    expect(waiting.status?.phase).toBe('Pending');
    expect(condition(waiting, 'Complete')?.reason).toBe('WaitingForNode');
    expect(condition(waiting, 'Scheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message: UNSCHEDULABLE,
    });
    operator.resyncNow();
    await operator.idle();
    expect(operator.kube.stats.byMethod.GET ?? 0).toBe(getsBefore);

    // A node takes the pod (the scheduler's binding): the next pass says where it runs.
    await kube.request('POST', `${resourcePath(RESOURCES.pod, namespace, podName)}/binding`, {
      body: {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: podName, namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: NODE },
      },
    });
    await waitFor('the bound pod in the cache', async () =>
      operator.cache.jobPods(job).find((pod) => pod.spec?.nodeName === NODE),
    );
    operator.resyncNow();
    await operator.idle();
    const running = await readRenderJob();
    expect(running.status?.phase).toBe('Running');
    expect(condition(running, 'Scheduled')).toMatchObject({
      status: 'True',
      message: `Pod ${podName} runs on node ${NODE}`,
    });
    expect(operator.kube.stats.byMethod.GET ?? 0).toBe(getsBefore);

    // The container fails as a kubelet records it; the Job controller then marks the Job failed.
    const bound = await kube.get<V1Pod & KubernetesObject>(RESOURCES.pod, namespace, podName);
    await kube.replace(
      RESOURCES.pod,
      namespace,
      podName,
      {
        ...bound,
        status: {
          phase: 'Failed',
          containerStatuses: [
            {
              name: bound.spec?.containers[0]?.name ?? 'render',
              image: bound.spec?.containers[0]?.image ?? '',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: {
                terminated: { exitCode: 3, reason: 'Error', message: 'RENDER_NO_EGL: no EGL device' },
              },
            },
          ],
        },
      } as KubernetesObject,
      'status',
    );
    await waitFor('the failed pod in the cache', async () =>
      operator.cache.jobPods(job).find((pod) => pod.status?.phase === 'Failed'),
    );
    await finishJob(kube, job, 'Failed');
    const failed = await waitFor('the RenderJob to fail', async () => {
      const current = await readRenderJob();
      return current.status?.phase === 'Failed' ? current : undefined;
    });
    expect(failed.status?.message).toBe(
      `Job ${job.metadata.name} failed (Error): RENDER_NO_EGL: no EGL device (exit code 3)`,
    );
  }, 90_000);
});
