import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repairedPrefix } from '../../lib/storage/layout.ts';
import { getJsonIfExists, listObjects } from '../../lib/storage/object-store.ts';
import { createBucket, s3Client } from '../../test/harness/index.ts';
import { storeRepairedVersion } from './store-repaired-version.ts';

describe('storeRepairedVersion on the real S3 server', () => {
  const s3 = s3Client();
  let bucket: string;
  beforeAll(async () => {
    bucket = await createBucket('repaired');
  });
  afterAll(() => s3.destroy());

  it('stores an immutable candidate beside the artist version, naming its source and every change', async () => {
    const change = {
      fix: 'recenter' as const,
      summary: 'Moved the model so its base centre sits on the origin.',
      before: { baseCentreMeters: [0, -0.5, 0] },
      after: { baseCentreMeters: [0, 0, 0] },
    };
    const input = {
      s3,
      bucket,
      asin: 'B0REPAIR01',
      revision: 3,
      sourceSha256: 'a'.repeat(64),
      sourceModel: 'assets/B0REPAIR01/versions/3/model.glb',
      model: new TextEncoder().encode('repaired glb'),
      changes: [change],
    };
    const first = await storeRepairedVersion(input);
    expect(first.source).toEqual({ revision: 3, sha256: 'a'.repeat(64), model: input.sourceModel });
    const prefix = repairedPrefix('B0REPAIR01', 3);
    const { objects } = await listObjects(s3, bucket, 'assets/B0REPAIR01/');
    expect(objects.map((object) => object.key).sort()).toEqual(
      [`${prefix}complete.json`, `${prefix}model.glb`, `${prefix}provenance.json`].sort(),
    );
    expect(await getJsonIfExists(s3, { bucket, key: `${prefix}provenance.json` })).toEqual(first);
    // A second run (a retried Job) finds the candidate complete and changes nothing.
    const again = await storeRepairedVersion({
      ...input,
      model: new TextEncoder().encode('other'),
      changes: [],
    });
    expect(again).toEqual(first);
  });
});
