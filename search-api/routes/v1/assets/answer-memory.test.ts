import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { DESCRIPTOR_DIMS } from '../../../../lib/image-descriptor/compute-descriptor.ts';
import { buildApp } from '../../../app.ts';
import { Catalog } from '../../../catalog/catalog.ts';
import { testAppConfig } from '../../../test-support/app-config.ts';
import { assetSubmission, publishedAssetFrom } from '../../../test-support/asset-submission.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bytes held outside the V8 heap by ArrayBuffers (Buffers) once garbage is collected. */
async function externalBytes(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().arrayBuffers;
}

describe('GET /v1/assets/{asin} answers', () => {
  it('are kept in the V8 heap, not as Buffers whose external memory drives full collections', async () => {
    const catalog = new Catalog(DESCRIPTOR_DIMS);
    const count = 3_000;
    for (let i = 0; i < count; i++) {
      const built = assetSubmission(`s${i}`, 'shop', `B0MEM${String(i).padStart(5, '0')}`)
        .withProduct({ title: `Oak chair ${i}`, brand: 'Lumina', tags: ['chair'] })
        .published(1, 'assets-bucket')
        .build();
      const asset = publishedAssetFrom(built);
      catalog.apply(asset.source, asset);
    }
    const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const app = await buildApp({
      config: testAppConfig(),
      s3,
      catalog,
    });
    try {
      await app.inject({ url: '/v1/assets/B0MEM00000' });
      const before = await externalBytes();
      let bytes = 0;
      // Twice each: an answer is cached on its second request.
      for (const pass of [1, 2]) {
        for (let i = 0; i < count; i++) {
          const response = await app.inject({ url: `/v1/assets/B0MEM${String(i).padStart(5, '0')}` });
          expect(response.statusCode).toBe(200);
          if (pass === 2) bytes += response.rawPayload.length;
        }
      }
      // Every answer is cached (3,000 < the cache's capacity): about 8 MB of JSON, none of it in Buffers.
      expect(bytes).toBeGreaterThan(count * 2_000);
      expect((await externalBytes()) - before).toBeLessThan(bytes / 10);
    } finally {
      await app.close();
      s3.destroy();
    }
  });
});
