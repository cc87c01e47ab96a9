import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuContext, type GpuContext } from '../../render-job/gpu/create-gpu-context.ts';
import { renderFixture } from '../../render-job/test-support/render-fixture.ts';
import { createBucket, s3Client } from '../../test/harness/index.ts';
import { versionKeys } from '../storage/layout.ts';
import { putObject } from '../storage/object-store.ts';
import { assessVersion } from './version-fidelity.ts';

const fixtures = join(import.meta.dirname, '../../test/fixtures');

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('assessVersion (real S3 server, real render)', () => {
  let gpu: GpuContext;
  const s3 = s3Client();
  beforeAll(async () => {
    gpu = await createGpuContext({ allowSoftware: true });
  });
  afterAll(() => {
    gpu?.destroy();
    s3.destroy();
  });

  it("reads a version's references and render from S3 and scores every photo", async () => {
    const bucket = await createBucket('fidelity');
    const keys = versionKeys('B0DUCK0001', 2);
    expect(await assessVersion(s3, bucket, keys)).toMatchObject({
      references: [],
      error: 'the version has no render yet',
    });
    const rendered = await renderFixture('Duck', gpu, { frames: 12, resolution: 160, background: '#ffffff' });
    try {
      for (const file of await filesUnder(rendered.directory)) {
        const key = `${keys.rendersPrefix}${relative(rendered.directory, file)}`;
        await putObject(s3, { bucket, key }, await readFile(file));
      }
      await putObject(
        s3,
        { bucket, key: `${keys.referencesPrefix}side.png` },
        await readFile(join(fixtures, 'models/Duck/screenshot/screenshot.png')),
      );
      const fidelity = await assessVersion(s3, bucket, keys, { now: new Date('2026-01-02T03:04:05Z') });
      expect(fidelity).toMatchObject({
        computedAt: '2026-01-02T03:04:05.000Z',
        renderPrefix: `s3://${bucket}/${keys.rendersPrefix}`,
      });
      expect(fidelity.error).toBeUndefined();
      expect(fidelity.references).toHaveLength(1);
      const [side] = fidelity.references;
      expect(side?.reference).toBe('references/side.png');
      expect(side?.verdict).not.toBe('Mismatch');
      expect(side?.scores.silhouetteIoU).toBeGreaterThan(0.8);
    } finally {
      await rendered.cleanup();
    }
  }, 120_000);
});
