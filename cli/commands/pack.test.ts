import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../lib/shazam-client/deterministic-zip.ts';
import { recordingIO } from '../../test/support/cli/recording-io.ts';
import { writeTestDelivery } from '../../test/support/cli/test-delivery.ts';
import { command } from './pack.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('shazam pack', () => {
  it('writes <ASIN>-r<rev>.zip and prints its sha256 and the delivery block', async () => {
    const dir = await writeTestDelivery({ asin: 'B0PACKTEST', revision: 3 });
    dirs.push(dir);
    const io = recordingIO({ SHAZAM_INCOMING_BUCKET: 'artist-uploads' }, dir);
    expect(await command.run(['.', '-o', 'out.zip'], io)).toBe(0);
    const sha = sha256Hex(await readFile(join(dir, 'out.zip')));
    expect(io.stdoutText()).toBe(
      `sha256: ${sha}\n\ndelivery:\n  uri: s3://artist-uploads/incoming/B0PACKTEST/r3.zip\n  sha256: ${sha}\n`,
    );
    expect(io.stderrText()).toMatch(/Packed 3 files into .*out\.zip/);
  });

  it('prints the same sha256 on every run for the same folder', async () => {
    const dir = await writeTestDelivery();
    dirs.push(dir);
    const first = recordingIO({}, dir);
    const second = recordingIO({}, dir);
    await command.run([dir, '-o', join(dir, '..', `${Date.now()}-a.zip`)], first);
    await command.run([dir, '-o', join(dir, '..', `${Date.now()}-b.zip`)], second);
    expect(first.stdoutText()).toMatch(/^sha256: [0-9a-f]{64}\n/);
    expect(second.stdoutText()).toBe(first.stdoutText());
  });

  it('fails with a coded message when manifest flags contradict the delivery', async () => {
    const dir = await writeTestDelivery({ asin: 'B0PACKTEST', revision: 1 });
    dirs.push(dir);
    const io = recordingIO({}, dir);
    expect(await command.run(['.', '--revision', '2'], io)).toBe(1);
    expect(io.stderrText()).toMatch(
      /SHAZAM_CLI_MANIFEST_INVALID: .*revision 1 but the flags say B0PACKTEST revision 2/,
    );
  });
});
