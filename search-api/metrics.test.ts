import { afterAll, describe, expect, it } from 'vitest';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { getJsonIfExists, putJson } from '../lib/storage/object-store.ts';
import { createBucket, s3Client } from '../test/harness/index.ts';
import { buildApp } from './app.ts';
import { Catalog } from './catalog/catalog.ts';

const config = {
  cdnBaseUrl: 'https://cdn.example.com',
  presignTtlSeconds: 3600,
  corsOrigins: [],
  rateLimitPerMinute: 0,
  maxUploadBytes: 200_000,
  maxImagePixels: 4_000_000,
};

const s3 = s3Client();
afterAll(() => s3.destroy());

describe('search API /metrics', () => {
  it('serves process metrics and counts the S3 calls of its client by operation and outcome', async () => {
    const bucket = await createBucket('search-metrics');
    const app = await buildApp({ config, s3, catalog: new Catalog(DESCRIPTOR_DIMS) });
    try {
      await putJson(s3, { bucket, key: 'descriptors.json' }, {});
      await getJsonIfExists(s3, { bucket, key: 'descriptors.json' });
      await getJsonIfExists(s3, { bucket, key: 'missing.json' });
      const response = await app.inject({ url: '/metrics' });
      expect(response.statusCode).toBe(200);
      const text = response.body;
      expect(text).toMatch(/^shazam_s3_requests_total\{operation="PutObject",outcome="success"\} 1$/m);
      expect(text).toMatch(/^shazam_s3_requests_total\{operation="GetObject",outcome="success"\} 1$/m);
      expect(text).toMatch(/^shazam_s3_requests_total\{operation="GetObject",outcome="not_found"\} 1$/m);
      expect(text).toMatch(/^shazam_s3_request_duration_seconds_count\{operation="GetObject"\} 2$/m);
      for (const name of [
        'process_resident_memory_bytes',
        'process_cpu_seconds_total',
        'process_open_fds',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(text).toMatch(new RegExp(`^${name} `, 'm'));
      }
    } finally {
      await app.close();
    }
  });
});
