import { beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, type RenderJob } from '../crds/api.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { loadKubeConfig } from '../lib/kube/kubeconfig.ts';
import { RESOURCES } from '../lib/shazam-client/resources.ts';
import { createBucket, createNamespace, kubeconfigPath, s3Client } from '../test/harness/index.ts';
import {
  createObject,
  testReview,
  testSubmission,
  writeSubmissionStatus,
} from '../test/support/cli/test-objects.ts';
import { QAApi } from './qa-api.ts';

// The QA page's backend against the shared apiserver and S3 server: a review shows the render's fill check.
describe('QA API: the render fill check', () => {
  let namespace: string;
  let admin: KubeClient;
  let qa: QAApi;

  beforeAll(async () => {
    namespace = await createNamespace('qa-fill');
    const kubeConfig = loadKubeConfig({ path: kubeconfigPath() });
    admin = new KubeClient(kubeConfig);
    const bucket = await createBucket('assets');
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
          fillCheck: {
            required: 0.85,
            minFill: 0.809,
            maxFill: 0.95,
            passed: false,
            framesBelow: 1,
            misses: [{ frame: 18, angleDeg: 90, fill: 0.809, shortBy: 0.041 }],
          },
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
    const details = await qa.reviewDetails(
      new KubeClient(loadKubeConfig({ path: kubeconfigPath() })),
      'mixer-r1',
    );
    expect(details.render).toEqual({
      name: 'mixer-r1',
      phase: 'Succeeded',
      fillCheck: expect.objectContaining({ passed: false, framesBelow: 1, minFill: 0.809 }),
      fillMessage: message,
    });
  });
});
