import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublishedPointer } from '../controllers/published-pointer.ts';
import { RESOURCES } from '../controllers/resources.ts';
import { type LocalJobRunner, startLocalJobRunner } from '../dev/local-job-runner/start-local-job-runner.ts';
import { createGltfIO } from '../lib/gltf/create-io.ts';
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
    // The turntable profiles judged on the real render: 4 frames of 128 px without the amazon-360 preset
    // miss its frame count, resolution and fill; the review carries the same list for the QA page.
    expect(renderJob.status?.profiles).toEqual([
      {
        id: 'amazon-360',
        met: false,
        missed: ['frameCounts', 'minResolution', 'minProductFill'],
        reasons: [
          '4 frames; amazon-360 accepts 24, 48, 72.',
          '128 px frames; amazon-360 asks for at least 1500 px.',
          expect.stringContaining('render with preset amazon-360'),
        ],
      },
    ]);
    expect(reviewed.status?.render?.profiles).toEqual(renderJob.status?.profiles);
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
    expect(published.status?.published?.turntableProfiles).toEqual([{ id: 'amazon-360', met: false }]);
    // iOS gets AR Quick Look: the USDZ the ingest made from the web GLB.
    expect(published.status?.published?.usdzUrl).toMatch(/\/assets\/B0D4KMX7Q2\/versions\/1\/model\.usdz$/);
    expect(await readText(bed.s3, bed.assetsBucket, versionKeys(ASIN, 1).arModel)).toBeDefined();
    const pointer = parsePublishedPointer(
      JSON.parse((await readText(bed.s3, bed.assetsBucket, publishedKey(ASIN)))!),
    );
    expect(pointer.version).toBe(1);
    expect((await bed.kube.list(RESOURCES.renderJob, { namespace: bed.namespace })).items).toHaveLength(1);
  }, 600_000);

  it('renders and reviews the repaired candidate of a revision delivered in centimetres, and publishes it', async () => {
    const f = flow(bed, 'stand-mixer');
    // Revision 2: the same mixer, modelled in centimetres and 3 m beside the origin.
    const folder = await mkdtemp(join(tmpdir(), 'shazam-e2e-repair-'));
    try {
      await cp(`${repo}examples/deliveries/${ASIN}`, folder, { recursive: true });
      const manifest = join(folder, 'manifest.yaml');
      await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('revision: 1', 'revision: 2'));
      const modelPath = join(folder, 'model', `${ASIN}.glb`);
      const io = await createGltfIO();
      const document = await io.readBinary(new Uint8Array(await readFile(modelPath)));
      for (const node of document.getRoot().getDefaultScene()!.listChildren()) {
        node.setScale(node.getScale().map((value) => value * 100) as [number, number, number]);
        const [x, y, z] = node.getTranslation().map((value) => value * 100);
        node.setTranslation([x! + 300, y!, z!]);
      }
      await writeFile(modelPath, await io.writeBinary(document));
      const packed = await packDirectory(folder);
      await bed.s3.send(
        new PutObjectCommand({ Bucket: bed.incomingBucket, Key: incomingKey(ASIN, 2), Body: packed.zip }),
      );
      await f.bumpRevision(2, packed.sha256, ASIN);
      const awaiting = await f.phase('AwaitingQA', 240_000);
      const validated = awaiting.status?.conditions?.find((c) => c.type === 'Validated');
      expect(validated?.reason).toBe('RepairedCandidatePassed');
      expect(validated?.message).toMatch(
        /failed on .*CLEANUP_SCALE.*its repaired candidate passed: Scaled the model by 0\.01/,
      );
      expect(awaiting.status?.validation?.repair?.changes.map((change) => change.fix)).toEqual([
        'unit-scale',
        'recenter',
      ]);
      expect(awaiting.status?.message).toMatch(
        /^The repaired candidate of revision 2 .*Version 1 stays live meanwhile\.$/,
      );
      const provenance = await readText(bed.s3, bed.assetsBucket, versionKeys(ASIN, 2).repairProvenance);
      expect(JSON.parse(provenance!).source.sha256).toBe(packed.sha256);
      await f.decide('Approved', 2);
      const published = await f.phase('Published', 60_000);
      expect(published.status?.published?.version).toBe(2);
      // The artist's delivery is as uploaded.
      const uploaded = await bed.s3.send(
        new GetObjectCommand({ Bucket: bed.incomingBucket, Key: incomingKey(ASIN, 2) }),
      );
      const bytes = await uploaded.Body!.transformToByteArray();
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(packed.sha256);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 600_000);
});
