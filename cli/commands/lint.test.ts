import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../lib/cli/command.ts';
import { main } from '../main.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

async function shazam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: repo };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('shazam lint', () => {
  it('exits 0 on the valid examples and says what it checked', async () => {
    const run = await shazam('lint', 'examples/asub-stand-mixer.yaml', 'examples/renderjob-amazon-360.yaml');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      '2 file(s), 2 SHAZAM object(s) checked, 0 other document(s) skipped: 0 error(s)\n',
    );
  });

  it('exits 1 with file:line: kind/name: field: message lines, paths relative to the working directory', async () => {
    const run = await shazam('lint', '--quiet', 'examples/invalid/asub-revision-zero.yaml');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      'examples/invalid/asub-revision-zero.yaml:9: AssetSubmission/revision-zero: spec.revision: Invalid value: 0: should be greater than or equal to 1\n',
    );
    expect(run.stderr).toBe('');
  });

  it('lints a directory recursively and fails on any invalid manifest in it', async () => {
    const run = await shazam('lint', '--quiet', 'examples');
    expect(run.code).toBe(1);
    const files = new Set(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(':')[0]),
    );
    expect([...files].every((f) => f?.startsWith('examples/invalid/'))).toBe(true);
    expect(files.size).toBeGreaterThanOrEqual(20);
  });

  it('checks against the CRDs of --crds when given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shazam-crds-'));
    try {
      await copyFile(join(repo, 'crds/qareviews.yaml'), join(dir, 'qareviews.yaml'));
      const run = await shazam('lint', '--quiet', '--crds', dir, 'examples/asub-stand-mixer.yaml');
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        'kind: Unsupported value: "AssetSubmission": pipeline.shazam.dev has no such kind',
      );
      const missing = await shazam('lint', '--crds', join(dir, 'nope'), 'examples/asub-stand-mixer.yaml');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('cannot read the CRD directory');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with the usage on a usage error or an unreadable path', async () => {
    const none = await shazam('lint');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: shazam lint');
    const missing = await shazam('lint', 'no/such/file.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no/such/file.yaml: no such file or directory');
    expect((await shazam('lint', '--fast', 'examples')).code).toBe(2);
  });
});
