import { cp, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTestDelivery } from '../../test/support/cli/test-delivery.ts';
import { packDirectory, sha256Hex } from './deterministic-zip.ts';
import { CLIENT_ERROR_CODES } from './errors.ts';
import { readZipEntry } from './zip-entry.ts';

const cleanup: string[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function delivery(): Promise<string> {
  const dir = await writeTestDelivery();
  cleanup.push(dir);
  return dir;
}

describe('packDirectory', () => {
  it('packs the same files to the same bytes wherever they live and whatever their timestamps', async () => {
    const first = await delivery();
    const second = await mkdtemp(join(tmpdir(), 'shazam-copy-'));
    cleanup.push(second);
    await cp(first, second, { recursive: true });
    await utimes(join(second, 'manifest.yaml'), new Date('2031-05-05'), new Date('2031-05-05'));

    const a = await packDirectory(first);
    const b = await packDirectory(second);
    expect(b.zip.equals(a.zip)).toBe(true);
    expect(a.sha256).toBe(sha256Hex(a.zip));
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes the sha256 when one byte of content changes', async () => {
    const dir = await delivery();
    const before = await packDirectory(dir);
    await writeFile(join(dir, 'manifest.yaml'), 'asin: B0TESTBOX1\nrevision: 2\nstages: []\n');
    const after = await packDirectory(dir);
    expect(after.sha256).not.toBe(before.sha256);
  });

  it('stores entries sorted with forward slashes and the original bytes, leaving hidden files out', async () => {
    const dir = await delivery();
    await writeFile(join(dir, '.DS_Store'), 'finder noise');
    const packed = await packDirectory(dir);
    expect(packed.entries).toEqual(['manifest.yaml', 'model/B0TESTBOX1.glb', 'references/front.jpg']);
    const manifest = await readZipEntry(packed.zip, 'manifest.yaml');
    expect(manifest?.toString('utf8')).toContain('asin: B0TESTBOX1');
    expect(await readZipEntry(packed.zip, '.DS_Store')).toBeUndefined();
  });

  it('refuses symbolic links instead of following them out of the delivery', async () => {
    const dir = await delivery();
    await symlink('/etc/hostname', join(dir, 'references', 'linked.jpg'));
    await expect(packDirectory(dir)).rejects.toMatchObject({
      code: CLIENT_ERROR_CODES.deliveryInvalid,
      message: expect.stringContaining('references/linked.jpg is a symbolic link'),
    });
  });

  it('names the problem when the folder is missing or empty', async () => {
    await expect(packDirectory('/nonexistent/delivery')).rejects.toMatchObject({
      code: CLIENT_ERROR_CODES.deliveryInvalid,
    });
    const empty = await mkdtemp(join(tmpdir(), 'shazam-empty-'));
    cleanup.push(empty);
    await expect(packDirectory(empty)).rejects.toThrow(/holds no files/);
  });
});
