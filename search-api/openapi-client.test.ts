/**
 * The OpenAPI document is complete enough to generate a client from: every call below is built only from
 * what the document declares, and every answer's status and body are checked against it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { buildApp } from './app.ts';
import { Catalog } from './catalog/catalog.ts';
import { testAppConfig } from './test-support/app-config.ts';
import { assetSubmission, publishedAssetFrom } from './test-support/asset-submission.ts';
import {
  type GeneratedClient,
  generateClient,
  type OpenApiDocument,
  operationsOf,
} from './test-support/openapi-client.ts';

function catalogue(): Catalog {
  const catalog = new Catalog(DESCRIPTOR_DIMS);
  for (let i = 0; i < 12; i++) {
    const built = assetSubmission(`s${i}`, 'shop', `B0CLNT${String(i).padStart(4, '0')}`)
      .withProduct({ title: `Walnut lamp ${i}`, brand: 'Lumina', tags: ['lamp'] })
      .published(3, 'assets')
      .build();
    const asset = publishedAssetFrom(built);
    catalog.apply(asset.source, asset);
    catalog.setDescriptors(asset, [
      { index: 0, vector: Array.from({ length: DESCRIPTOR_DIMS }, (_, d) => (d === i ? 1 : 0.02)) },
    ]);
  }
  return catalog;
}

describe('a client generated from /openapi.json', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let document: OpenApiDocument;
  let client: GeneratedClient;
  let photo: Buffer;
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });

  beforeAll(async () => {
    app = await buildApp({
      config: testAppConfig({ maxUploadBytes: 200_000 }),
      s3,
      catalog: catalogue(),
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    document = (await (await fetch(`${url}/openapi.json`)).json()) as OpenApiDocument;
    client = generateClient(document, url);
    photo = await sharp({ create: { width: 120, height: 90, channels: 3, background: '#f0f0f0' } })
      .composite([
        {
          input: { create: { width: 40, height: 60, channels: 3, background: '#8a5a3c' } },
          left: 40,
          top: 15,
        },
      ])
      .jpeg()
      .toBuffer();
  });
  afterAll(async () => {
    await app.close();
    s3.destroy();
  });

  it('names every operation, publishes text search without a trailing slash, and documents every status', () => {
    const operations = operationsOf(document);
    expect(operations.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      'GET /healthz',
      'GET /metrics',
      'GET /readyz',
      'GET /v1/assets/{asin}',
      'GET /v1/search',
      'POST /v1/search/image',
    ]);
    for (const { operation } of operations) {
      expect(operation.operationId).toMatch(/^[a-zA-Z]+$/);
      // Transport errors any route can answer.
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['408', '431', '500']));
    }
    const asset = document.paths['/v1/assets/{asin}']!.get!;
    expect(Object.keys(asset.responses)).toEqual(
      expect.arrayContaining(['200', '304', '400', '404', '414', '429', '503']),
    );
    const image = document.paths['/v1/search/image']!.post!;
    expect(Object.keys(image.responses)).toEqual(
      expect.arrayContaining(['200', '400', '413', '415', '422', '429', '503']),
    );
    expect(image.requestBody?.required).toBe(true);
    expect(Object.keys(image.requestBody!.content)).toEqual(
      expect.arrayContaining(['image/jpeg', 'image/jpg', 'image/png', 'image/webp', 'multipart/form-data']),
    );
  });

  it('looks an asset up, then asks again with its ETag for a 304', async () => {
    const first = await client.getAsset!({ path: { asin: 'B0CLNT0003' } });
    expect(first.status).toBe(200);
    expect(first.schemaErrors).toEqual([]);
    expect(first.body).toMatchObject({ asin: 'B0CLNT0003', version: 3 });
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await client.getAsset!({
      path: { asin: 'B0CLNT0003' },
      headers: { 'if-none-match': etag! },
    });
    expect(again.status).toBe(304);
    const missing = await client.getAsset!({ path: { asin: 'B0MISSING1' } });
    expect(missing.status).toBe(404);
    expect(missing.schemaErrors).toEqual([]);
  });

  it('searches text', async () => {
    const answer = await client.searchText!({ query: { q: 'walnut lamp', limit: 5 } });
    expect(answer.status).toBe(200);
    expect(answer.schemaErrors).toEqual([]);
    expect((answer.body as { hits: unknown[] }).hits).toHaveLength(5);
  });

  it('searches by photo, as a raw body and as a multipart form', async () => {
    const raw = await client.searchImage!({
      query: { limit: 4 },
      body: { contentType: 'image/jpeg', bytes: photo },
    });
    expect(raw.status).toBe(200);
    expect(raw.schemaErrors).toEqual([]);
    expect((raw.body as { hits: unknown[] }).hits).toHaveLength(4);
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'photo.jpg');
    const multipart = await client.searchImage!({
      query: { limit: 2 },
      body: { contentType: 'multipart/form-data', form },
    });
    expect(multipart.status).toBe(200);
    expect((multipart.body as { hits: unknown[] }).hits).toHaveLength(2);
    const refused = await client.searchImage!({
      body: { contentType: 'image/png', bytes: new Uint8Array([1, 2, 3]) },
    });
    expect(refused.status).toBe(415);
    expect(refused.schemaErrors).toEqual([]);
  });

  it('calls the operations routes', async () => {
    for (const operationId of ['healthz', 'readyz', 'metrics']) {
      const answer = await client[operationId]!();
      expect(answer.status, operationId).toBe(200);
      expect(answer.schemaErrors, operationId).toEqual([]);
    }
  });
});
