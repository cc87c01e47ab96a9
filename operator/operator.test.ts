import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAKES_OVER_ANNOTATION } from '../controllers/asset-submission/ownership.ts';
import { ARGO_TRACKING_LABEL, LABELS, SUBMISSION_FINALIZER } from '../controllers/names.ts';
import { parsePublishedPointer } from '../controllers/published-pointer.ts';
import { type Job, RESOURCES } from '../controllers/resources.ts';
import { publishedKey, versionKeys } from '../lib/storage/layout.ts';
import type { OperatorHandle } from './operator.ts';
import {
  createTestBed,
  reader,
  readText,
  submissionManifest,
  type TestBed,
  waitFor,
} from './test-support/fixture.ts';
import { flow } from './test-support/flow.ts';

// The Jobs are completed by the test (there is no kubelet): it writes the validation result, version
// folder and render outputs the programs write (see test-support/job-completion.ts), then the Job status.

interface PodSpec {
  securityContext: unknown;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  containers: { args: string[]; securityContext: unknown; resources: { limits: Record<string, string> } }[];
}

function podSpec(job: Job): PodSpec {
  return (job.spec as { template: { spec: PodSpec } }).template.spec;
}

describe('operator on a real apiserver and S3', () => {
  let bed: TestBed;
  let operator: OperatorHandle;

  beforeAll(async () => {
    bed = await createTestBed('op-happy');
    operator = await bed.start();
    await operator.synced;
  });
  afterAll(async () => {
    await operator?.stop();
  });

  it('takes a submission from validation through the candidate render, QA and promotion to Published', async () => {
    const asin = 'B0HAPPY001';
    const f = flow(bed, 'chair');
    await f.create(submissionManifest(bed, 'chair', asin, 1));

    const validation = await f.validationJob();
    const pod = podSpec(validation);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0]!.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.containers[0]!.args).toEqual(expect.arrayContaining(['--asin', asin, '--revision', '1']));
    expect(validation.metadata.labels?.[ARGO_TRACKING_LABEL]).toBeUndefined();
    expect(validation.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'AssetSubmission',
      name: 'chair',
      controller: true,
    });
    const validating = await f.phase('Validating');
    expect(validating.metadata.finalizers).toContain(SUBMISSION_FINALIZER);

    await f.completeValidation('Passed');
    // The candidate is rendered before QA sees it, into its own version; nothing is published yet.
    const renderJobJob = await f.renderJobJob();
    const rendering = await f.phase('Rendering');
    expect(rendering.status?.validation).toMatchObject({ verdict: 'Passed', errors: 0 });
    expect(await readText(bed.s3, bed.assetsBucket, publishedKey(asin))).toBeUndefined();
    expect(await reader(bed).reviews()).toEqual([]);
    const renderPod = podSpec(renderJobJob);
    expect(renderPod.nodeSelector).toEqual(bed.config.gpu.nodeSelector);
    expect(renderPod.tolerations).toEqual(bed.config.gpu.tolerations);
    expect(renderPod.containers[0]!.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(renderPod.containers[0]!.args).toContain('--require-gpu');
    expect(renderJobJob.spec).toMatchObject({
      backoffLimit: 2,
      activeDeadlineSeconds: 3600,
      ttlSecondsAfterFinished: 86400,
    });

    await f.completeRender();
    await f.phase('AwaitingQA');
    const review = await f.review();
    // The review names the turntable QA judges: the candidate's renders under its version.
    const open = await waitFor('the review to be Open with its render', async () =>
      (await reader(bed).reviews()).find(
        (r) => r.metadata.name === review.metadata.name && r.status?.phase === 'Open' && r.status.render,
      ),
    );
    const renders = `s3://${bed.assetsBucket}/${versionKeys(asin, 1).rendersPrefix}`;
    expect(open.status?.render).toMatchObject({
      posterUri: `${renders}poster.webp`,
      framesPrefix: `${renders}360/`,
    });

    await f.decide('Approved');
    const published = await f.phase('Published');
    const pointer = parsePublishedPointer(
      JSON.parse((await readText(bed.s3, bed.assetsBucket, publishedKey(asin)))!),
    );
    expect(pointer).toMatchObject({ asin, version: 1, previous: [] });
    expect(published.status?.published).toMatchObject({
      version: 1,
      glbUrl: `https://cdn.example.test/${versionKeys(asin, 1).model}`,
      posterUrl: `https://cdn.example.test/${versionKeys(asin, 1).poster}`,
      spin: { frameCount: 4 },
    });
    expect(published.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });

    // Converged: a resync of every object writes nothing.
    await operator.idle();
    const before = operator.kube.stats.writes;
    operator.resyncNow();
    await operator.idle();
    operator.resyncNow();
    await operator.idle();
    expect(operator.kube.stats.writes).toBe(before);

    const metrics = await (await fetch(`${operator.http!.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/shazam_submissions\{phase="Published"\} 1/);
    expect(metrics).toMatch(/shazam_reconcile_total\{kind="AssetSubmission",result="success"\} \d+/);
    expect((await fetch(`${operator.http!.healthUrl}/readyz`)).status).toBe(200);
    const events = await bed.kube.list<
      { reason?: string; involvedObject?: { name?: string } } & { metadata: object }
    >({ group: '', version: 'v1', plural: 'events' }, { namespace: bed.namespace });
    const reasons = events.items.filter((e) => e.involvedObject?.name === 'chair').map((e) => e.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(['Validating', 'Rendering', 'AwaitingQA', 'Published', 'Promoted']),
    );
    const labels = (await reader(bed).jobsOf('chair')).map((job) => job.metadata.labels?.[LABELS.component]);
    expect(labels.sort()).toEqual(['render', 'validation']);
  });

  it('adopts a QAReview committed by QA and marks an older submission of the ASIN Superseded', async () => {
    const asin = 'B0ADOPT001';
    const first = flow(bed, 'kettle');
    await first.create(submissionManifest(bed, 'kettle', asin, 1));
    await first.completeValidation('Passed');
    await first.completeRender();
    await first.decide('Approved');
    await first.phase('Published');

    // Revision 2 arrives as a second AssetSubmission; QA approves it with a manifest of its own in git.
    const second = flow(bed, 'kettle-v2');
    // Revision 2 takes the ASIN over from the first submission explicitly (one owner per ASIN).
    const takeover = submissionManifest(bed, 'kettle-v2', asin, 2);
    takeover.metadata.annotations = { [TAKES_OVER_ANNOTATION]: `${bed.namespace}/kettle` };
    await second.create(takeover);
    await second.completeValidation('Passed', 2);
    await second.completeRender(2);
    await second.phase('AwaitingQA');
    await bed.kube.create(RESOURCES.qaReview, bed.namespace, {
      apiVersion: 'pipeline.shazam.dev/v1alpha1',
      kind: 'QAReview',
      metadata: { name: 'kettle-v2-approved-in-git', namespace: bed.namespace },
      spec: { submissionRef: { name: 'kettle-v2' }, decision: 'Approved', reviewer: 'qa-lee' },
    } as unknown as KubernetesObject);
    const published = await second.phase('Published');
    expect(published.status?.children?.qaReview).toBe('kettle-v2-approved-in-git');
    await waitFor("the operator's own undecided review to be Orphaned", async () =>
      (await reader(bed).reviews()).find(
        (r) => r.metadata.name === 'kettle-v2-r2' && r.status?.phase === 'Orphaned',
      ),
    );
    const superseded = await first.phase('Superseded');
    expect(superseded.status?.published).toBeUndefined();
    expect(superseded.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Superseded',
    });
    const pointer = parsePublishedPointer(
      JSON.parse((await readText(bed.s3, bed.assetsBucket, publishedKey(asin)))!),
    );
    expect(pointer).toMatchObject({ version: 2, previous: [1] });
  });
});
