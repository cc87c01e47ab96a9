import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import type { CliIO } from '../../lib/cli/command.ts';
import { buildTestZip } from '../../test/support/validation/test-zip.ts';

const example = fileURLToPath(new URL('../../examples/deliveries/B0D4KMX7Q2', import.meta.url));
const shazamBin = fileURLToPath(new URL('../../bin/shazam.js', import.meta.url));
const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

function capture(cwd = process.cwd()): { io: CliIO; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (text) => {
        out.stdout += text;
      },
      stderr: (text) => {
        out.stderr += text;
      },
      env: {},
      cwd,
    },
  };
}

describe('shazam validate', () => {
  let dir: string;
  let failing: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shazam-validate-cli-'));
    failing = join(dir, 'B0BOXTEST1-r2.zip');
    await writeFile(
      failing,
      buildTestZip([
        {
          name: 'model/B0BOXTEST1.glb',
          data: await readFile(join(fixtures, 'models/Box/glTF-Binary/Box.glb')),
        },
        { name: 'references/a.jpg', data: await readFile(join(fixtures, 'reference-images/Mixer-0.jpg')) },
      ]),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes the example delivery folder and prints the stages and profiles', async () => {
    const { io, out } = capture();
    expect(await main(['validate', example], io)).toBe(0);
    expect(out.stdout).toContain('B0D4KMX7Q2 revision 1: PASSED');
    expect(out.stdout).toContain('stages: cleanup Passed, uv Passed, texturing Passed');
    expect(out.stdout).toContain('misses amazon-3d (minTextureSize)');
  });

  it('fails a ZIP, taking ASIN and revision from its name, and says how to fix it', async () => {
    const { io, out } = capture();
    expect(await main(['validate', failing], io)).toBe(3);
    expect(out.stdout).toContain('B0BOXTEST1 revision 2: FAILED');
    expect(out.stdout).toMatch(/ERROR CLEANUP_ORIGIN \[cleanup\]/);
    expect(out.stdout).toContain('fix: Move the model so that the origin is at the centre of its base');
  });

  it('prints the full report with --json, resolving the ZIP against the working folder', async () => {
    const { io, out } = capture(dir);
    expect(await main(['validate', 'B0BOXTEST1-r2.zip', '--json', '--stages', 'uv,texturing'], io)).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.apiVersion).toBe('shazam.dev/validation-report/v1');
    expect(report.verdict).toBe('Passed');
    expect(report.stages).toEqual({ cleanup: 'Skipped', uv: 'Passed', texturing: 'Passed' });
    expect(report.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads ASIN, revision and stages from the manifest.yaml inside a ZIP of any name', async () => {
    const zip = join(dir, 'delivery.zip');
    await writeFile(
      zip,
      buildTestZip([
        { name: 'manifest.yaml', data: Buffer.from('asin: B0BOXTEST1\nrevision: 4\nstages: [uv]\n') },
        {
          name: 'model/B0BOXTEST1.glb',
          data: await readFile(join(fixtures, 'models/Box/glTF-Binary/Box.glb')),
        },
        { name: 'references/a.jpg', data: await readFile(join(fixtures, 'reference-images/Mixer-0.jpg')) },
      ]),
    );
    const { io, out } = capture();
    expect(await main(['validate', zip, '--json'], io)).toBe(0);
    const report = JSON.parse(out.stdout);
    expect([report.asin, report.revision, report.claimedStages]).toEqual(['B0BOXTEST1', 4, ['uv']]);
  });

  it('checks in its isolated worker when run as a program from a folder without node_modules (as a Job is)', async () => {
    // The checking thread loads its own TypeScript loader; it must find it from the program, not from the cwd.
    const { stdout } = await promisify(execFile)(process.execPath, [shazamBin, 'validate', example], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(stdout).toContain('B0D4KMX7Q2 revision 1: PASSED');
  });

  it.each([
    // each row: arguments, words of the usage error
    [['validate'], 'exactly one'],
    [['validate', '/nonexistent/x.zip'], 'does not exist'],
    [['validate', join(fixtures, 'models/Box/glTF-Binary/Box.glb')], '--asin'],
    [['validate', example, '--stages', 'paint'], 'unknown stage'],
    [['validate', example, '--frobnicate'], 'frobnicate'],
  ])('exits 2 on %j', async (args, words) => {
    const { io, out } = capture();
    expect(await main(args, io)).toBe(2);
    expect(out.stderr).toContain(words);
  });
});
