import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublishedPointer } from '../controllers/published-pointer.ts';
import { RESOURCES } from '../controllers/resources.ts';
import { type LocalJobRunner, startLocalJobRunner } from '../dev/local-job-runner/start-local-job-runner.ts';
import { packDirectory } from '../lib/shazam-client/deterministic-zip.ts';
import { incomingKey, publishedKey, versionKeys } from '../lib/storage/layout.ts';
import { kubeConfig, s3Config } from '../test/harness/index.ts';
import type { OperatorHandle } from './operator.ts';
import { createTestBed, readText, type TestBed, waitFor } from './test-support/fixture.ts';
import { flow } from './test-support/flow.ts';

// The real programs: the local job runner runs each Job's `shazam validate-job` / `shazam render-job`
// as a process. No GPU here, so the operator is configured to allow software rendering (llvmpipe).

const ASIN = 'B0D4KMX7Q2';
const repo = fileURLToPath(new URL('..', import.meta.url));

describe('end to end with the real validation and render programs', () => {
  let bed: TestBed;
  let operator: OperatorHandle;
  let runner: LocalJobRunner;
  let sha256: string;

  beforeAll(async () => {
    bed = await createTestBed('op-e2e');
    const packed = await packDirectory(`${repo}examples/deliveries/${ASIN}`);
    sha256 = packed.sha256;
    await bed.s3.send(
      new PutObjectCommand({ Bucket: bed.incomingBucket, Key: incomingKey(ASIN, 1), Body: packed.zip }),
    );
    const s3 = s3Config();
    runner = await startLocalJobRunner({
      kubeConfig: kubeConfig(),
      namespaces: [bed.namespace],
      commandMap: { shazam: [process.execPath, `${repo}bin/shazam.js`] },
      // Job specs carry no credentials (pods get them from IRSA); the local processes get them here.
      baseEnv: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      concurrency: 1,
    });
    operator = await bed.start({ jobs: { ...bed.config.jobs, allowSoftwareRender: true } });
    await operator.synced;
  });
  afterAll(async () => {
    await operator?.stop();
    await runner?.stop();
  });

  /** What the render Job left behind, so a failure says why. */
  async function diagnostics(): Promise<string> {
    const { readFile } = await import('node:fs/promises');
    const renderJob = await flow(bed, 'stand-mixer').renderJob();
    const job = await flow(bed, 'stand-mixer').renderJobJob();
    const log = await readFile(runner.logPath(bed.namespace, job.metadata.name, 1), 'utf8').catch(
      () => '(no log)',
    );
    return `RenderJob status: ${JSON.stringify(renderJob.status)}\nJob status: ${JSON.stringify(job.status)}\nlog:\n${log.slice(-3000)}`;
  }

  it('validates, renders, reviews and promotes a real delivery to Published', async () => {
    const f = flow(bed, 'stand-mixer');
    await f.create({
      apiVersion: 'pipeline.shazam.dev/v1alpha1',
      kind: 'AssetSubmission',
      metadata: { name: 'stand-mixer', namespace: bed.namespace },
      spec: {
        asin: ASIN,
        revision: 1,
        artist: 'mira.okafor@studio.example',
        product: { title: 'Stand mixer', brand: 'Shopify' },
        delivery: { uri: `s3://${bed.incomingBucket}/${incomingKey(ASIN, 1)}`, sha256 },
        stages: ['cleanup', 'uv', 'texturing'],
        render: { frames: 4, resolution: 128 },
      },
    });
    // The candidate is rendered before QA sees it: the review opens on the real turntable.
    const awaiting = await f.phase('AwaitingQA', 240_000).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await diagnostics()}`);
    });
    expect(awaiting.status?.validation?.verdict).toBe('Passed');
    expect(await readText(bed.s3, bed.assetsBucket, versionKeys(ASIN, 1).complete)).toBeDefined();
    expect(await readText(bed.s3, bed.assetsBucket, versionKeys(ASIN, 1).renderManifest)).toBeDefined();
    expect(await readText(bed.s3, bed.assetsBucket, publishedKey(ASIN))).toBeUndefined();
    const renderJob = await f.renderJob();
    expect(renderJob.spec.gpu?.required).toBe(false);
    // The render compared the delivery's reference photo with its frames; the review shows the scores.
    expect(renderJob.status?.outputs?.fidelityUri).toBe(
      `s3://${bed.assetsBucket}/${versionKeys(ASIN, 1).rendersPrefix}fidelity.json`,
    );
    const reviewed = await waitFor('the fidelity on the QAReview', async () => {
      const review = await f.review();
      return review.status?.fidelity ? review : undefined;
    });
    expect(reviewed.status?.render?.fidelityUri).toBe(renderJob.status?.outputs?.fidelityUri);
    expect(reviewed.status?.fidelity?.renderPrefix).toBe(
      `s3://${bed.assetsBucket}/${versionKeys(ASIN, 1).rendersPrefix}`,
    );
    expect(reviewed.status?.fidelity?.error).toBeUndefined();
    expect(reviewed.status?.fidelity?.references.map((r) => r.reference).sort()).toEqual([
      'references/front-0.jpg',
      'references/front-1.jpg',
      'references/front-2.jpg',
    ]);

    // Approval publishes the candidate with its renders: no render after approval.
    const approvedAt = Date.now();
    await f.decide('Approved');
    const published = await f.phase('Published', 60_000);
    expect(Date.now() - approvedAt).toBeLessThan(30_000);
    expect(published.status?.published).toMatchObject({ version: 1, spin: { frameCount: 4 } });
    // iOS gets AR Quick Look: the USDZ the ingest made from the web GLB.
    expect(published.status?.published?.usdzUrl).toMatch(/\/assets\/B0D4KMX7Q2\/versions\/1\/model\.usdz$/);
    expect(await readText(bed.s3, bed.assetsBucket, versionKeys(ASIN, 1).arModel)).toBeDefined();
    const pointer = parsePublishedPointer(
      JSON.parse((await readText(bed.s3, bed.assetsBucket, publishedKey(ASIN)))!),
    );
    expect(pointer.version).toBe(1);
    expect((await bed.kube.list(RESOURCES.renderJob, { namespace: bed.namespace })).items).toHaveLength(1);
  }, 600_000);
});
