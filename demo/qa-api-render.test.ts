import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, type RenderJob } from '../crds/api.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { mixerFillShort } from '../lib/profiles/test-support/mixer-fill.ts';
import { RESOURCES } from '../lib/shazam-client/resources.ts';
import { versionKeys } from '../lib/storage/layout.ts';
import {
  kubeConfig as adminKubeConfig,
  createBucket,
  createNamespace,
  s3Client,
} from '../test/harness/index.ts';
import {
  createObject,
  testReview,
  testSubmission,
  writeReviewStatus,
  writeSubmissionStatus,
} from '../test/support/cli/test-objects.ts';
import { QAApi } from './qa-api.ts';

// The QA page's backend against the shared apiserver and S3 server: a review shows the render's fill check.
describe('QA API: the render fill check', () => {
  let namespace: string;
  let admin: KubeClient;
  let qa: QAApi;
  let bucket: string;

  beforeAll(async () => {
    namespace = await createNamespace('qa-fill');
    const kubeConfig = adminKubeConfig();
    admin = new KubeClient(kubeConfig);
    bucket = await createBucket('assets');
    qa = new QAApi({
      kubeConfig,
      namespace,
      s3: s3Client(),
      assetsBucket: bucket,
      assetUrl: (key) => `/cdn/${key}`,
    });
  });

  it('shows which frames miss the preset fill, from the RenderJob', async () => {
    await createObject(admin, namespace, testSubmission('mixer', 'B0TESTMIX1'));
    await createObject(admin, namespace, testReview('mixer-r1', 'mixer'));
    const renderJob = {
      apiVersion: API_VERSION,
      kind: 'RenderJob',
      metadata: { name: 'mixer-r1', namespace },
      spec: {
        source: { uri: 's3://assets/assets/B0TESTMIX1/versions/1/model.glb' },
        output: { uri: 's3://assets/assets/B0TESTMIX1/versions/1/renders/' },
        preset: 'amazon-360',
      },
    } as RenderJob;
    await admin.create(RESOURCES.RenderJob, namespace, renderJob);
    const message =
      '1 of 72 frames fill less than 85.0% (smallest 80.9% at frame 18, 90°, 4.1 points short): frames 18 (90°, 80.9%).';
    await admin.patch(
      RESOURCES.RenderJob,
      namespace,
      'mixer-r1',
      {
        status: {
          phase: 'Succeeded',
          fillCheck: mixerFillShort(),
          conditions: [
            {
              type: 'FillCompliant',
              status: 'False',
              reason: 'FramesUnderFill',
              message,
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      },
      'merge',
      { subresource: 'status' },
    );
    await writeSubmissionStatus(admin, namespace, 'mixer', {
      phase: 'Published',
      children: { renderJob: 'mixer-r1' },
    });
    const details = await qa.reviewDetails(new KubeClient(adminKubeConfig()), 'mixer-r1');
    expect(details.render).toEqual({
      name: 'mixer-r1',
      phase: 'Succeeded',
      fillCheck: expect.objectContaining({ passed: false, framesBelow: 1, minFill: 0.809 }),
      fillMessage: message,
    });
  });

  it('shows the candidate turntable the review names in status.render, and its poster', async () => {
    await createObject(admin, namespace, testSubmission('kettle', 'B0TESTKET1'));
    await createObject(admin, namespace, testReview('kettle-r1', 'kettle'));
    const keys = versionKeys('B0TESTKET1', 1);
    const s3 = s3Client();
    for (const key of [`${keys.framesPrefix}000.webp`, `${keys.framesPrefix}001.webp`, keys.poster]) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'webp' }));
    }
    await writeSubmissionStatus(admin, namespace, 'kettle', { phase: 'AwaitingQA', version: 1 });
    await writeReviewStatus(admin, namespace, 'kettle-r1', {
      phase: 'Open',
      submission: { name: 'kettle', asin: 'B0TESTKET1', revision: 1 },
      render: {
        renderJob: 'kettle-r1',
        framesRendered: 2,
        format: 'webp',
        posterUri: `s3://${bucket}/${keys.poster}`,
        framesPrefix: `s3://${bucket}/${keys.framesPrefix}`,
        fillCheck: { required: 0.85, minFill: 0.9, passed: true, framesBelow: 0, misses: [] },
        fillMessage: 'Every frame fills at least 85.0%.',
      },
    });
    const details = await qa.reviewDetails(new KubeClient(adminKubeConfig()), 'kettle-r1');
    expect(details.files).toMatchObject({
      frames: [`/cdn/${keys.framesPrefix}000.webp`, `/cdn/${keys.framesPrefix}001.webp`],
      framesFrom: 1,
      posterUrl: `/cdn/${keys.poster}`,
    });
    // Read from the review (reviewers may not read RenderJobs; none exists here).
    expect(details.render).toEqual({
      name: 'kettle-r1',
      phase: 'Succeeded',
      fillCheck: { required: 0.85, minFill: 0.9, passed: true, framesBelow: 0, misses: [] },
      fillMessage: 'Every frame fills at least 85.0%.',
    });
  });
});
