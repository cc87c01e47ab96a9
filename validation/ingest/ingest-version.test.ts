import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionKeys } from '../../lib/storage/layout.ts';
import { createS3Client } from '../../lib/storage/s3-client.ts';
import { createBucket, s3Client, s3Config } from '../../test/harness/index.ts';
import { ingestVersion, RevisionConflictError } from './ingest-version.ts';

const ASIN = 'B0INGEST01';

function input(bucket: string, sha: string, s3 = s3Client()) {
  return {
    s3,
    bucket,
    asin: ASIN,
    revision: 1,
    sha256: sha,
    model: new TextEncoder().encode('glTF model bytes'),
    buildWebModel: async () => new TextEncoder().encode('web'),
    references: [],
    renderReport: () => '{}',
  };
}

describe('ingestVersion on the real S3 server', () => {
  let bucket: string;
  const s3 = s3Client();
  beforeAll(async () => {
    bucket = await createBucket('ingest');
  });
  afterAll(() => s3.destroy());

  it('lets only the first completion marker of a revision stand when two Jobs race', async () => {
    const keys = versionKeys(ASIN, 1);
    const racing = createS3Client(s3Config());
    // Another Job completes the revision from another delivery just before this one writes its marker.
    racing.middlewareStack.add(
      (next) => async (args) => {
        const request = args.input as { Key?: string };
        if (request.Key === keys.complete) {
          await s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: keys.complete,
              Body: JSON.stringify({ sha256: 'e'.repeat(64), version: { prefix: keys.prefix } }),
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'competingMarker' },
    );
    await expect(ingestVersion(input(bucket, 'd'.repeat(64), racing))).rejects.toBeInstanceOf(
      RevisionConflictError,
    );
    racing.destroy();
    const marker = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys.complete }));
    expect(JSON.parse(await marker.Body!.transformToString()).sha256).toBe('e'.repeat(64));
  });
});
