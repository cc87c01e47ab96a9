import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSET_SUBMISSION, GROUP, VERSION } from '../crds/api.ts';
import { applyCrds } from '../dev/local-cluster/apply-crds.ts';
import { buildDescriptorSet } from '../lib/contracts/descriptors.ts';
import { DESCRIPTOR_DIMS, DESCRIPTOR_VERSION } from '../lib/image-descriptor/compute-descriptor.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { versionKeys } from '../lib/storage/layout.ts';
import {
  type ControlPlane,
  createBucket,
  createNamespace,
  harness,
  kubeConfig,
  s3Client,
  startControlPlane,
} from '../test/harness/index.ts';
import { buildApp } from './app.ts';
import { assetSubmission, type BuiltSubmission } from './test-support/asset-submission.ts';

const ref = { group: GROUP, version: VERSION, plural: ASSET_SUBMISSION.plural };
const config = {
  cdnBaseUrl: 'https://cdn.example.com',
  presignTtlSeconds: 3600,
  corsOrigins: [],
  rateLimitPerMinute: 0,
  maxUploadBytes: 1_000_000,
  maxImagePixels: 4_000_000,
};

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Creates the submission, then writes its status as the operator would. */
async function publish(client: KubeClient, built: BuiltSubmission): Promise<void> {
  const { namespace, name } = built.object.metadata;
  const existing = await client.getOrUndefined(ref, namespace, name);
  if (!existing) await client.create(ref, namespace, built.object);
  else await client.patch(ref, namespace, name, { spec: built.object.spec }, 'merge');
  await client.patch(ref, namespace, name, { status: built.status }, 'merge', { subresource: 'status' });
}

async function putDescriptors(bucket: string, asin: string, version: number, hot: number): Promise<void> {
  const s3 = s3Client();
  const vector = (d: number) => Array.from({ length: DESCRIPTOR_DIMS }, (_, i) => (i === d ? 1 : 0));
  const set = buildDescriptorSet(DESCRIPTOR_VERSION, DESCRIPTOR_DIMS, [
    { index: 0, angleDeg: 0, vector: vector(hot) },
    { index: 1, angleDeg: 180, vector: vector(hot + 1) },
  ]);
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: versionKeys(asin, version).descriptors,
        Body: JSON.stringify(set),
      }),
    );
  } finally {
    s3.destroy();
  }
}

describe('search API watching AssetSubmissions', () => {
  let namespace: string;
  let bucket: string;
  let client: KubeClient;
  let app: Awaited<ReturnType<typeof buildApp>>;
  const s3 = s3Client();

  beforeAll(async () => {
    namespace = await createNamespace('search');
    bucket = await createBucket('assets');
    client = new KubeClient(kubeConfig());
    app = await buildApp({ config, s3, kube: { kubeConfig: kubeConfig(), namespaces: [namespace] } });
    await app.ready();
    await app.readiness.whenReady();
  });
  afterAll(async () => {
    await app?.close();
    client?.close();
    s3.destroy();
  });

  const lookup = (asin: string) => app.inject({ url: `/v1/assets/${asin}` });
  const search = async (q: string) =>
    (await app.inject({ url: `/v1/search?q=${encodeURIComponent(q)}` }))
      .json()
      .hits.map((h: { asin: string }) => h.asin);

  it('serves an asset once published, moves to the newer version, and drops it on delete', async () => {
    const asin = 'B0WATCH001';
    const draft = assetSubmission('lamp', namespace, asin).withProduct({
      title: 'Brass desk lamp',
      tags: ['lamp'],
    });
    await publish(client, draft.build());
    // Not published yet: give the watch time to deliver the object, and it must still be absent.
    await eventually('the submission is watched', async () => (await lookup(asin)).statusCode === 404);
    expect(await search('brass')).toEqual([]);

    await putDescriptors(bucket, asin, 1, 10);
    await publish(client, draft.published(1, bucket).build());
    await eventually('version 1 is served', async () => (await lookup(asin)).json().version === 1);
    expect((await lookup(asin)).json().glbUrl).toBe(
      `https://cdn.example.com/assets/${asin}/versions/1/model.glb`,
    );
    expect(await search('brass lamp')).toEqual([asin]);
    await eventually('descriptors of version 1 are indexed', async () => app.catalog.imageStats.frames === 2);

    // Revision 2 in progress: version 1 stays live meanwhile.
    await publish(client, {
      ...draft.withRevision(2).build(),
      status: { phase: 'Validating', published: draft.published(1, bucket).build().status.published },
    });
    await putDescriptors(bucket, asin, 2, 20);
    await publish(client, draft.withProduct({ title: 'Copper desk lamp' }).published(2, bucket).build());
    await eventually('version 2 is served', async () => (await lookup(asin)).json().version === 2);
    expect((await lookup(asin)).json().product.title).toBe('Copper desk lamp');
    expect(await search('copper')).toEqual([asin]);
    expect(await search('brass')).toEqual([]);
    await eventually('descriptors of version 2 replace those of version 1', async () => {
      const hits = await app.catalog.searchImage(
        Array.from({ length: DESCRIPTOR_DIMS }, (_, i) => (i === 21 ? 1 : 0)),
        1,
      );
      return hits[0]?.hit.score === 1 && hits[0].hit.frame === 1;
    });

    await client.delete(ref, namespace, 'lamp');
    await eventually('the deleted asset is gone', async () => (await lookup(asin)).statusCode === 404);
    expect(await search('copper')).toEqual([]);
    expect(app.catalog.imageStats.frames).toBe(0);
  });

  it('serves the newest of two submissions of one ASIN, and falls back when it goes', async () => {
    const asin = 'B0WATCH002';
    await publish(
      client,
      assetSubmission('old', namespace, asin)
        .withProduct({ title: 'Old stool' })
        .published(1, bucket)
        .build(),
    );
    await publish(
      client,
      assetSubmission('new', namespace, asin)
        .withProduct({ title: 'New stool' })
        .published(3, bucket)
        .build(),
    );
    await eventually('version 3 wins', async () => (await lookup(asin)).json().version === 3);
    await client.delete(ref, namespace, 'new');
    await eventually('version 1 is served again', async () => (await lookup(asin)).json().version === 1);
  });

  it('does not serve a Superseded submission or one with a broken status', async () => {
    await publish(
      client,
      assetSubmission('gone', namespace, 'B0WATCH003').published(1, bucket, { phase: 'Superseded' }).build(),
    );
    const broken = assetSubmission('broken', namespace, 'B0WATCH004').published(1, bucket).build();
    (broken.status.published as Record<string, unknown>).prefix = 'no-trailing-slash';
    await publish(client, broken);
    await publish(client, assetSubmission('marker', namespace, 'B0WATCH005').published(1, bucket).build());
    await eventually('the marker is served', async () => (await lookup('B0WATCH005')).statusCode === 200);
    expect((await lookup('B0WATCH003')).statusCode).toBe(404);
    expect((await lookup('B0WATCH004')).statusCode).toBe(404);
  });
});

describe('search API across an apiserver restart', () => {
  let plane: ControlPlane;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const s3 = s3Client();

  beforeAll(async () => {
    plane = await startControlPlane();
    await applyCrds(
      harness().kubectlPath,
      plane.kubeconfigPath,
      fileURLToPath(new URL('../crds/', import.meta.url)),
    );
  });
  afterAll(async () => {
    await app?.close();
    await plane?.stop();
    s3.destroy();
  });

  it('is not ready before the first list, and keeps serving while the apiserver is down', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    const client = new KubeClient(kc);
    try {
      await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: 'shop' } } });
      await publish(client, assetSubmission('chair', 'shop', 'B0RESTART1').published(1, 'assets').build());

      app = await buildApp({ config, s3, kube: { kubeConfig: kc, namespaces: [] } });
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
      expect((await app.inject({ url: '/v1/assets/B0RESTART1' })).json().code).toBe(
        'SHAZAM_SEARCH_NOT_READY',
      );
      await app.ready();
      await app.readiness.whenReady();
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/v1/assets/B0RESTART1' })).statusCode).toBe(200);

      await plane.stopApiserver();
      // The watch fails and retries; what was indexed stays served.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect((await app.inject({ url: '/v1/assets/B0RESTART1' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/v1/search?q=B0RESTART1' })).json().hits).toHaveLength(1);

      await plane.startApiserver();
      await publish(client, assetSubmission('table', 'shop', 'B0RESTART2').published(1, 'assets').build());
      await eventually(
        'a submission published after the restart is served',
        async () => (await app!.inject({ url: '/v1/assets/B0RESTART2' })).statusCode === 200,
        60_000,
      );
      expect((await app.inject({ url: '/v1/assets/B0RESTART1' })).statusCode).toBe(200);
    } finally {
      client.close();
    }
  });
});
