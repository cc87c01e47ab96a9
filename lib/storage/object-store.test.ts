import { GetObjectCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/local-cluster/ports.ts';
import { createBucket, s3Client, s3Config } from '../../test/harness/index.ts';
import { createS3RequestMetrics } from '../metrics/s3-request-metrics.ts';
import {
  deleteKeys,
  deletePrefix,
  getBytes,
  getJson,
  getJsonIfExists,
  headObject,
  listObjects,
  objectExists,
  putJson,
  putObject,
} from './object-store.ts';
import { createS3Client, instrumentS3Client } from './s3-client.ts';
import { StorageError, type StorageErrorCode } from './storage-error.ts';

let bucket: string;
let denied: string;
const s3 = s3Client();

async function failure(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StorageError);
  return error as StorageError;
}

async function codeOf(promise: Promise<unknown>): Promise<StorageErrorCode> {
  return (await failure(promise)).code;
}

beforeAll(async () => {
  [bucket, denied] = await Promise.all([createBucket('store'), createBucket('store-denied')]);
  await putObject(s3, { bucket: denied, key: 'model.glb' }, 'glb');
  // A bucket policy that refuses everyone: S3 answers 403 whether the key exists or not.
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: denied,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${denied}`, `arn:aws:s3:::${denied}/*`],
          },
        ],
      }),
    }),
  );
});

afterAll(() => s3.destroy());

describe('object store on a real S3 server', () => {
  it('writes and reads JSON, bytes and metadata', async () => {
    await putJson(s3, { bucket, key: 'a/doc.json' }, { n: 1 }, { cacheControl: 'no-cache' });
    expect(await getJson(s3, { bucket, key: 'a/doc.json' })).toEqual({ n: 1 });
    expect(new TextDecoder().decode(await getBytes(s3, { bucket, key: 'a/doc.json' }))).toBe(
      '{\n  "n": 1\n}\n',
    );
    await putObject(s3, { bucket, key: 'a/blob' }, new Uint8Array([1, 2, 3]), {
      metadata: { sha256: 'abc' },
    });
    expect(await headObject(s3, { bucket, key: 'a/blob' })).toMatchObject({
      contentLength: 3,
      metadata: { sha256: 'abc' },
    });
    expect(await objectExists(s3, { bucket, key: 'a/blob' })).toBe(true);
  });

  it('tells a missing key from a missing bucket', async () => {
    expect(await codeOf(getBytes(s3, { bucket, key: 'missing' }))).toBe('STORAGE_NOT_FOUND');
    expect(await getJsonIfExists(s3, { bucket, key: 'missing.json' })).toBeUndefined();
    expect(await headObject(s3, { bucket, key: 'missing' })).toBeUndefined();
    expect(await objectExists(s3, { bucket, key: 'missing' })).toBe(false);
    expect(await codeOf(getBytes(s3, { bucket: 'shazam-no-such-bucket', key: 'k' }))).toBe(
      'STORAGE_NO_SUCH_BUCKET',
    );
  });

  it('reports a refused request as access denied, never as missing', async () => {
    const error = await failure(getBytes(s3, { bucket: denied, key: 'model.glb' }));
    expect(error.code).toBe('STORAGE_ACCESS_DENIED');
    expect(error.message).toMatch(new RegExp(`GetObject s3://${denied}/model.glb failed: .*403`));
    // Not even a missing key reads as missing behind the policy, and the tolerant readers do not hide it.
    expect(await codeOf(getJsonIfExists(s3, { bucket: denied, key: 'missing.json' }))).toBe(
      'STORAGE_ACCESS_DENIED',
    );
    expect(await codeOf(objectExists(s3, { bucket: denied, key: 'model.glb' }))).toBe(
      'STORAGE_ACCESS_DENIED',
    );
    expect(await codeOf(putJson(s3, { bucket: denied, key: 'x.json' }, {}))).toBe('STORAGE_ACCESS_DENIED');
  });

  it('reports an endpoint that does not answer as unavailable', async () => {
    const stopped = createS3Client({ ...s3Config(), endpoint: `http://127.0.0.1:${await freePort()}` });
    try {
      const error = await failure(getBytes(stopped, { bucket, key: 'a/doc.json' }));
      expect(error.code).toBe('STORAGE_UNAVAILABLE');
      expect(await codeOf(getJsonIfExists(stopped, { bucket, key: 'a/doc.json' }))).toBe(
        'STORAGE_UNAVAILABLE',
      );
      expect(await codeOf(objectExists(stopped, { bucket, key: 'a/doc.json' }))).toBe('STORAGE_UNAVAILABLE');
    } finally {
      stopped.destroy();
    }
  });

  it('refuses a second write with ifNoneMatch, and says when a document is not JSON', async () => {
    await putObject(s3, { bucket, key: 'once.json' }, '{}', { ifNoneMatch: true });
    expect(await codeOf(putObject(s3, { bucket, key: 'once.json' }, '{}', { ifNoneMatch: true }))).toBe(
      'STORAGE_PRECONDITION_FAILED',
    );
    await putObject(s3, { bucket, key: 'bad.json' }, 'not json');
    expect(await codeOf(getJson(s3, { bucket, key: 'bad.json' }))).toBe('STORAGE_INVALID_JSON');
  });

  it('lists by folder, deletes keys and whole prefixes across pages', async () => {
    const keys = Array.from(
      { length: 1005 },
      (_, i) => `tree/${i % 2 ? 'odd' : 'even'}/${String(i).padStart(4, '0')}`,
    );
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => putObject(s3, { bucket, key }, 'x')));
    }
    expect((await listObjects(s3, bucket, 'tree/', { delimiter: '/' })).prefixes).toEqual([
      'tree/even/',
      'tree/odd/',
    ]);
    expect((await listObjects(s3, bucket, 'tree/', { limit: 3 })).objects.map((o) => o.key)).toEqual([
      'tree/even/0000',
      'tree/even/0002',
      'tree/even/0004',
    ]);
    await deleteKeys(s3, bucket, ['tree/even/0000', 'tree/never-existed']);
    expect(await objectExists(s3, { bucket, key: 'tree/even/0000' })).toBe(false);
    expect(await deletePrefix(s3, bucket, 'tree/')).toEqual({ objects: 1004, bytes: 1004 });
    expect((await listObjects(s3, bucket, 'tree/')).objects).toEqual([]);
    expect(await deletePrefix(s3, bucket, 'tree/')).toEqual({ objects: 0, bytes: 0 });
  });
});

describe('S3 request metrics', () => {
  it('counts every call of an instrumented client by operation and outcome, presigning aside', async () => {
    const registry = new Registry();
    const metrics = createS3RequestMetrics(registry);
    const client = createS3Client(s3Config(), { metrics });
    const stopped = instrumentS3Client(
      createS3Client({ ...s3Config(), endpoint: `http://127.0.0.1:${await freePort()}` }),
      metrics,
    );
    try {
      await putJson(client, { bucket, key: 'm.json' }, {});
      await getJson(client, { bucket, key: 'm.json' });
      await getJsonIfExists(client, { bucket, key: 'nope.json' });
      await objectExists(client, { bucket, key: 'nope' });
      await getBytes(client, { bucket: denied, key: 'model.glb' }).catch(() => {});
      await getBytes(stopped, { bucket, key: 'm.json' }).catch(() => {});
      await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: 'm.json' }), { expiresIn: 60 });
      const text = await registry.metrics();
      const series = (operation: string, outcome: string) =>
        new RegExp(
          `^shazam_s3_requests_total\\{operation="${operation}",outcome="${outcome}"\\} (\\d+)$`,
          'm',
        ).exec(text)?.[1];
      expect(series('PutObject', 'success')).toBe('1');
      expect(series('GetObject', 'success')).toBe('1');
      expect(series('GetObject', 'not_found')).toBe('1');
      expect(series('HeadObject', 'not_found')).toBe('1');
      expect(series('GetObject', 'access_denied')).toBe('1');
      expect(series('GetObject', 'unavailable')).toBe('1');
      expect(text).toMatch(/^shazam_s3_request_duration_seconds_count\{operation="GetObject"\} 4$/m);
      expect((await metrics.counts()).reduce((sum, row) => sum + row.count, 0)).toBe(6);
    } finally {
      client.destroy();
      stopped.destroy();
    }
  });
});
