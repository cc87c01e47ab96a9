import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packDirectory } from '../../lib/shazam-client/deterministic-zip.ts';
import { s3ConnectionToEnv } from '../../lib/storage/s3-client.ts';
import { createBucket, s3Client, s3Config } from '../../test/harness/index.ts';
import { recordingIO } from '../../test/support/cli/recording-io.ts';
import { writeTestDelivery } from '../../test/support/cli/test-delivery.ts';
import { command } from './submit.ts';

describe('shazam submit (real S3 server)', () => {
  let bucket: string;
  let delivery: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const s3 = s3Client();

  beforeAll(async () => {
    bucket = await createBucket('incoming');
    delivery = await writeTestDelivery({ asin: 'B0SUBMIT01', revision: 1 });
    work = await mkdtemp(join(tmpdir(), 'shazam-gitops-'));
    env = { ...s3ConnectionToEnv(s3Config()), SHAZAM_INCOMING_BUCKET: bucket };
  });
  afterAll(async () => {
    s3.destroy();
    await rm(delivery, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('uploads the ZIP to incoming/<ASIN>/r<rev>.zip and writes the AssetSubmission into the GitOps folder', async () => {
    const io = recordingIO(env, work);
    const code = await command.run(
      [
        delivery,
        '--gitops-dir',
        'gitops/submissions',
        '--title',
        'Test box',
        '--brand',
        'Cesium',
        '--tag',
        'box',
        '-n',
        'shop',
      ],
      io,
    );
    expect(io.stderrText()).toContain('Uploading s3://');
    expect(code).toBe(0);

    const { sha256, zip } = await packDirectory(delivery);
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'incoming/B0SUBMIT01/r1.zip' }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(zip)).toBe(true);

    const manifest = parse(await readFile(join(work, 'gitops/submissions/b0submit01.yaml'), 'utf8'));
    expect(manifest.metadata).toEqual({ name: 'b0submit01', namespace: 'shop' });
    expect(manifest.spec).toMatchObject({
      asin: 'B0SUBMIT01',
      revision: 1,
      artist: 'test-artist',
      product: { title: 'Test box', brand: 'Cesium', tags: ['box'] },
      delivery: { uri: `s3://${bucket}/incoming/B0SUBMIT01/r1.zip`, sha256 },
      stages: ['cleanup', 'uv', 'texturing'],
    });
    expect(io.stdoutText()).toContain('Next: git add gitops/submissions/b0submit01.yaml');
  });

  it('is a no-op upload when the same bytes are submitted again', async () => {
    const before = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'incoming/B0SUBMIT01/r1.zip' }),
    );
    const io = recordingIO(env, work);
    expect(await command.run([delivery, '--gitops-dir', 'gitops/submissions'], io)).toBe(0);
    expect(io.stderrText()).toContain('already uploaded (same sha256)');
    const after = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'incoming/B0SUBMIT01/r1.zip' }));
    expect(after.ETag).toBe(before.ETag);
  });

  it('refuses to replace a revision with different bytes, and leaves the manifest alone', async () => {
    const manifestPath = join(work, 'gitops/submissions/b0submit01.yaml');
    const manifestBefore = await readFile(manifestPath, 'utf8');
    await writeFile(join(delivery, 'references', 'extra.jpg'), 'different content');
    const io = recordingIO(env, work);
    expect(await command.run([delivery, '--gitops-dir', 'gitops/submissions'], io)).toBe(1);
    expect(io.stderrText()).toMatch(/SHAZAM_CLI_UPLOAD_CONFLICT: .*bump the revision/);
    expect(await readFile(manifestPath, 'utf8')).toBe(manifestBefore);
    await rm(join(delivery, 'references', 'extra.jpg'));
  });

  it('bumps the same manifest for the next revision', async () => {
    const manifestPath = join(delivery, 'manifest.yaml');
    await writeFile(
      manifestPath,
      (await readFile(manifestPath, 'utf8')).replace('revision: 1', 'revision: 2'),
    );
    const io = recordingIO(env, work);
    expect(await command.run([delivery, '--gitops-dir', 'gitops/submissions'], io)).toBe(0);
    const manifest = parse(await readFile(join(work, 'gitops/submissions/b0submit01.yaml'), 'utf8'));
    expect(manifest.spec.revision).toBe(2);
    expect(manifest.spec.delivery.uri).toBe(`s3://${bucket}/incoming/B0SUBMIT01/r2.zip`);
    expect(manifest.spec.product.title).toBe('Test box');
  });
});
