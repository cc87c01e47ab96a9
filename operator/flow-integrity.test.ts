import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAKES_OVER_ANNOTATION } from '../controllers/asset-submission/ownership.ts';
import { LABELS, labelValue, MAX_LABEL_VALUE, SUBMISSION_FINALIZER } from '../controllers/names.ts';
import { type AssetSubmission, RESOURCES } from '../controllers/resources.ts';
import { type LocalJobRunner, startLocalJobRunner } from '../dev/local-job-runner/start-local-job-runner.ts';
import { packDirectory } from '../lib/shazam-client/deterministic-zip.ts';
import { incomingKey, publishedKey } from '../lib/storage/layout.ts';
import { kubeConfig, s3Config } from '../test/harness/index.ts';
import type { OperatorHandle } from './operator.ts';
import {
  createTestBed,
  listWithEtags,
  reader,
  readText,
  submissionManifest,
  type TestBed,
  waitFor,
} from './test-support/fixture.ts';
import { flow } from './test-support/flow.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

function condition(submission: AssetSubmission, type: string) {
  return submission.status?.conditions?.find((c) => c.type === type);
}

async function eventsOf(bed: TestBed, name: string): Promise<{ reason?: string; message?: string }[]> {
  const events = await bed.kube.list<
    { reason?: string; message?: string; involvedObject?: { name?: string } } & { metadata: object }
  >(RESOURCES.event, { namespace: bed.namespace });
  return events.items.filter((e) => e.involvedObject?.name === name);
}

// Jobs here are completed by the test (no kubelet): see test-support/job-completion.ts.
describe('one owner per ASIN, and names of any length', () => {
  let bed: TestBed;
  let operator: OperatorHandle;
  beforeAll(async () => {
    bed = await createTestBed('op-owner');
    operator = await bed.start();
    await operator.synced;
  });
  afterAll(async () => {
    await operator?.stop();
  });

  it('refuses a second submission of an owned ASIN, writes nothing for it, and lets an explicit take-over through', async () => {
    const asin = 'B0OWNER001';
    const owner = flow(bed, 'desk');
    await owner.create(submissionManifest(bed, 'desk', asin, 1));
    await owner.completeValidation('Passed');
    await owner.completeRender();
    await owner.decide('Approved');
    await owner.phase('Published');
    const stored = await listWithEtags(bed.s3, bed.assetsBucket, `assets/${asin}/`);

    // The same ASIN and revision again, from another submission: refused, naming the owner.
    const copy = flow(bed, 'desk-copy');
    const manifest = submissionManifest(bed, 'desk-copy', asin, 1);
    manifest.spec.product.title = 'Copied chair';
    await copy.create(manifest);
    const refused = await copy.phase('Failed');
    expect(condition(refused, 'Validated')).toMatchObject({ status: 'False', reason: 'AsinOwnedElsewhere' });
    expect(condition(refused, 'Validated')?.message).toContain(`${bed.namespace}/desk`);
    expect(condition(refused, 'Validated')?.message).toContain(TAKES_OVER_ANNOTATION);
    expect(condition(refused, 'Ready')).toMatchObject({ status: 'False', reason: 'AsinOwnedElsewhere' });
    expect(refused.metadata.finalizers ?? []).not.toContain(SUBMISSION_FINALIZER);
    expect(refused.status?.published).toBeUndefined();
    await operator.idle();
    expect(await reader(bed).jobsOf('desk-copy')).toEqual([]);
    expect(await listWithEtags(bed.s3, bed.assetsBucket, `assets/${asin}/`)).toEqual(stored);
    const ownerNow = await reader(bed).submission('desk');
    expect(ownerNow.status?.phase).toBe('Published');
    await waitFor('the Failed event of desk-copy', async () =>
      (await eventsOf(bed, 'desk-copy')).some((e) => e.reason === 'Failed'),
    );

    // Deleting the refused copy touches nothing of the owner's.
    await bed.kube.delete(RESOURCES.assetSubmission, bed.namespace, 'desk-copy');
    await waitFor('desk-copy to be gone', async () =>
      (await bed.kube.getOrUndefined(RESOURCES.assetSubmission, bed.namespace, 'desk-copy')) === undefined
        ? true
        : undefined,
    );
    expect(await listWithEtags(bed.s3, bed.assetsBucket, `assets/${asin}/`)).toEqual(stored);

    // An explicit take-over is validated, and publishing it supersedes the old owner.
    const successor = flow(bed, 'desk-v2');
    const takeover = submissionManifest(bed, 'desk-v2', asin, 2);
    takeover.metadata.annotations = { [TAKES_OVER_ANNOTATION]: `${bed.namespace}/desk` };
    await successor.create(takeover);
    await successor.completeValidation('Passed', 2);
    await successor.completeRender(2);
    await successor.decide('Approved', 2);
    const published = await successor.phase('Published');
    expect(published.status?.published?.version).toBe(2);
    await owner.phase('Superseded');
  });

  it('refuses an approval of an orphaned QAReview with a reason, and promotes nothing from it', async () => {
    const f = flow(bed, 'shelf');
    await f.create(submissionManifest(bed, 'shelf', 'B0ORPHAN01', 1));
    await f.completeValidation('Passed');
    await f.completeRender();
    const stale = await f.review(1);
    await f.bumpRevision(2, 'b'.repeat(64), 'B0ORPHAN01');
    await waitFor('the r1 review to be Orphaned', async () =>
      (await reader(bed).reviews()).find(
        (r) => r.metadata.name === stale.metadata.name && r.status?.phase === 'Orphaned',
      ),
    );
    await bed.kube.patch(
      RESOURCES.qaReview,
      bed.namespace,
      stale.metadata.name,
      { spec: { decision: 'Approved', reviewer: 'qa-lee' } },
      'merge',
    );
    const ignored = await waitFor('the approval to be refused', async () =>
      (await reader(bed).reviews()).find(
        (r) =>
          r.metadata.name === stale.metadata.name &&
          r.status?.conditions?.some((c) => c.reason === 'DecisionIgnored'),
      ),
    );
    expect(ignored.status?.phase).toBe('Orphaned');
    expect(ignored.status?.decidedAt).toBeUndefined();
    expect(ignored.status?.conditions?.find((c) => c.type === 'Decided')?.message).toContain(
      'decision is ignored',
    );
    await operator.idle();
    const submission = await reader(bed).submission('shelf');
    expect(submission.status?.phase).toBe('Validating');
    expect(submission.status?.liveVersion).toBeUndefined();
    expect(submission.status?.published).toBeUndefined();
    expect(await readText(bed.s3, bed.assetsBucket, publishedKey('B0ORPHAN01'))).toBeUndefined();
  });

  it('runs a submission whose name is 253 characters long through the flow, every label and Job name within limits', async () => {
    const name = `${'a'.repeat(120)}.${'b'.repeat(120)}.long-${'c'.repeat(6)}`;
    expect(name).toHaveLength(253);
    const f = flow(bed, name);
    await f.create(submissionManifest(bed, name, 'B0LONGNAME', 1));
    const validation = await f.validationJob();
    expect(validation.metadata.name.length).toBeLessThanOrEqual(MAX_LABEL_VALUE);
    expect(validation.metadata.labels?.[LABELS.submission]).toBe(labelValue(name));
    expect(labelValue(name).length).toBeLessThanOrEqual(MAX_LABEL_VALUE);
    await f.completeValidation('Passed');
    const renderJob = await f.renderJob();
    expect(renderJob.metadata.name.length).toBeLessThanOrEqual(MAX_LABEL_VALUE);
    const job = await f.renderJobJob();
    expect(job.metadata.name.length).toBeLessThanOrEqual(MAX_LABEL_VALUE);
    // A render Job says whose it is, like a validation Job.
    expect(job.metadata.labels).toMatchObject({
      [LABELS.submission]: labelValue(name),
      [LABELS.asin]: 'B0LONGNAME',
      [LABELS.revision]: '1',
    });
    await f.completeRender();
    await f.phase('AwaitingQA');
    await f.decide('Approved');
    const published = await f.phase('Published');
    expect(published.status?.published?.version).toBe(1);
    // Events are written after the status, off the reconcile path.
    await waitFor('the Published event', async () =>
      (await eventsOf(bed, name)).some((e) => e.reason === 'Published'),
    );
  });
});

// The real validation program, run by the local job runner, reports a delivery not uploaded yet.
describe('a delivery that arrives after its manifest', () => {
  const ASIN = 'B0D4KMX7Q2';
  let bed: TestBed;
  let operator: OperatorHandle;
  let runner: LocalJobRunner;
  let zip: { zip: Uint8Array; sha256: string };

  beforeAll(async () => {
    bed = await createTestBed('op-late');
    zip = await packDirectory(`${repo}examples/deliveries/${ASIN}`);
    const s3 = s3Config();
    runner = await startLocalJobRunner({
      kubeConfig: kubeConfig(),
      namespaces: [bed.namespace],
      commandMap: { shazam: [process.execPath, `${repo}bin/shazam.js`] },
      baseEnv: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      concurrency: 2,
    });
    operator = await bed.start({
      delivery: { waitSeconds: 20, recheckSeconds: 1, maxRecheckSeconds: 2 },
      jobs: { ...bed.config.jobs, validation: { ...bed.config.jobs.validation, backoffLimit: 0 } },
    });
    await operator.synced;
  });
  afterAll(async () => {
    await operator?.stop();
    await runner?.stop();
  });

  function lateSubmission(name: string, asin: string): AssetSubmission {
    const manifest = submissionManifest(bed, name, asin, 1);
    manifest.spec.delivery = {
      uri: `s3://${bed.incomingBucket}/${incomingKey(asin, 1)}`,
      sha256: zip.sha256,
    };
    return manifest;
  }

  it('waits for the ZIP, saying what it waits for, and validates it once it lands', async () => {
    const name = 'mixer-late';
    await bed.kube.create(
      RESOURCES.assetSubmission,
      bed.namespace,
      lateSubmission(name, ASIN) as unknown as KubernetesObject,
    );
    const waiting = await waitFor(
      `${name} to wait for its delivery`,
      async () => {
        const submission = await reader(bed).submission(name);
        return condition(submission, 'Validated')?.reason === 'AwaitingDelivery' ? submission : undefined;
      },
      30_000,
    );
    expect(waiting.status?.phase).toBe('Pending');
    expect(condition(waiting, 'Validated')?.status).toBe('Unknown');
    expect(condition(waiting, 'Validated')?.message).toContain(incomingKey(ASIN, 1));

    await bed.s3.send(
      new PutObjectCommand({ Bucket: bed.incomingBucket, Key: incomingKey(ASIN, 1), Body: zip.zip }),
    );
    // Validated: the candidate's turntable is next.
    const validated = await flow(bed, name).phase('Rendering', 60_000);
    expect(validated.status?.validation?.verdict).toBe('Passed');
    expect(condition(validated, 'Validated')).toMatchObject({ status: 'True', reason: 'ValidationPassed' });
    const reasons = (await eventsOf(bed, name)).map((e) => e.reason);
    expect(reasons).not.toContain('Failed');
  }, 90_000);

  it('carries the pod’s termination message of a failed validation Job into the status and Events', async () => {
    const name = 'wrong-bucket';
    const manifest = lateSubmission(name, 'B0NOBUCKET');
    manifest.spec.delivery.uri = `s3://no-such-bucket-${bed.namespace}/incoming/B0NOBUCKET/r1.zip`;
    await bed.kube.create(RESOURCES.assetSubmission, bed.namespace, manifest as unknown as KubernetesObject);
    const failed = await flow(bed, name).phase('Failed', 60_000);
    expect(condition(failed, 'Validated')).toMatchObject({ status: 'False', reason: 'ValidationJobFailed' });
    expect(failed.status?.message).toContain('STORAGE_NO_SUCH_BUCKET');
    const job = (await reader(bed).jobsOf(name))[0]!;
    const pods = await bed.kube.list<
      {
        metadata: object;
        status?: { containerStatuses?: { state?: { terminated?: { reason?: string; message?: string } } }[] };
      } & KubernetesObject
    >(
      { group: '', version: 'v1', plural: 'pods' },
      {
        namespace: bed.namespace,
        labelSelector: `batch.kubernetes.io/controller-uid=${job.metadata.uid}`,
      },
    );
    expect(pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      reason: 'Error',
      message: expect.stringContaining('STORAGE_NO_SUCH_BUCKET'),
    });
    const failedEvent = await waitFor('the Failed event', async () =>
      (await eventsOf(bed, name)).find((e) => e.reason === 'Failed'),
    );
    expect(failedEvent.message).toContain('STORAGE_NO_SUCH_BUCKET');
    // Resyncs keep the reason once the status has it.
    operator.resyncNow();
    await operator.idle();
    expect((await reader(bed).submission(name)).status?.message).toContain('STORAGE_NO_SUCH_BUCKET');
  }, 90_000);

  it('fails with DeliveryNotFound once the wait is over, and stays failed', async () => {
    const name = 'never-uploaded';
    await bed.kube.create(
      RESOURCES.assetSubmission,
      bed.namespace,
      lateSubmission(name, 'B0NEVERUP1') as unknown as KubernetesObject,
    );
    const failed = await flow(bed, name).phase('Failed', 60_000);
    expect(condition(failed, 'Validated')).toMatchObject({ status: 'False', reason: 'DeliveryNotFound' });
    expect(failed.status?.message).toMatch(/No delivery ZIP at s3:\/\/.* after waiting 20 s/);
    const failedEvent = await waitFor('the Failed event', async () =>
      (await eventsOf(bed, name)).find((e) => e.reason === 'Failed'),
    );
    expect(failedEvent.message).toContain('No delivery ZIP');
    // Later passes keep the verdict: it does not start waiting again.
    operator.resyncNow();
    await operator.idle();
    const after = await reader(bed).submission(name);
    expect(after.status?.phase).toBe('Failed');
    expect(condition(after, 'Validated')?.reason).toBe('DeliveryNotFound');
  }, 90_000);
});
