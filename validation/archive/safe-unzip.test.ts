import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileCorpus } from '../../test/support/validation/hostile-corpus.ts';
import { buildTestZip } from '../../test/support/validation/test-zip.ts';
import { DEFAULT_POLICY } from '../policy/policy.ts';
import { checkEntryName } from './check-entry-name.ts';
import { safeUnzip } from './safe-unzip.ts';

const run = promisify(execFile);
const MiB = 1024 * 1024;
/**
 * What unpacking the whole corpus plus a real 192 MiB entry may add to the peak resident memory of a process
 * that has already loaded Node, the tsx loader and the unzip. Streaming adds a few dozen MiB whatever the
 * entry's size (inflate buffers awaiting collection); buffering the 192 MiB entry (or any bomb) would pass
 * this bound. The runtime's own start-up size, which differs between Node releases, is not counted.
 */
const PEAK_RSS_GROWTH_BOUND = 96 * MiB;

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    out.push(path);
    if (entry.isDirectory()) out.push(...(await walk(path)));
  }
  return out;
}

describe('safeUnzip on the generated hostile corpus', () => {
  const cases = hostileCorpus();
  let sandbox: string;
  let scratch: string;
  let measured: {
    results: Record<string, { codes: string[]; files: number }>;
    startRssBytes: number;
    maxRssBytes: number;
  };

  beforeAll(async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'shazam-hostile-'));
    const corpus = join(sandbox, 'corpus');
    // Deep, so that "../../x" from the extraction folder would still land inside the sandbox and be seen.
    scratch = join(sandbox, 'a', 'b', 'c', 'scratch');
    await mkdir(corpus, { recursive: true });
    await mkdir(scratch, { recursive: true });
    for (const item of cases) {
      await writeFile(join(corpus, `${item.id}.zip`), item.zip);
      if (item.policy) await writeFile(join(corpus, `${item.id}.policy.json`), JSON.stringify(item.policy));
    }
    // A legitimate large entry the policy allows: proves extraction streams rather than buffers.
    await writeFile(
      join(corpus, 'zz-large-legit.zip'),
      buildTestZip([{ name: 'source/B0HOSTILE1.obj', data: Buffer.alloc(192 * MiB, 0x20) }]),
    );
    await writeFile(
      join(corpus, 'zz-large-legit.policy.json'),
      JSON.stringify({ maxCompressionRatio: 10_000 }),
    );
    const script = fileURLToPath(
      new URL('../../test/support/validation/measure-unzip-memory.ts', import.meta.url),
    );
    // A clean environment: the test runner's NODE_OPTIONS and loaders would be counted in the peak.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, corpus, scratch], {
      maxBuffer: 16 * MiB,
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      env: { PATH: process.env.PATH ?? '' },
    });
    measured = JSON.parse(stdout);
  }, 120_000);

  afterAll(async () => {
    await rm(sandbox, { recursive: true, force: true });
  });

  it('holds at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((item) => item.id)).size).toBe(cases.length);
  });

  it.each(hostileCorpus().map((item) => [item.id, item.description, item.expected]))(
    'rejects %s (%s) with %s and extracts nothing',
    (id, _description, expected) => {
      const result = measured.results[id];
      expect(result?.codes[0]).toBe(expected);
      expect(result?.files).toBe(0);
    },
  );

  it('extracts the legitimate 192 MiB entry', () => {
    expect(measured.results['zz-large-legit']).toEqual({ codes: [], files: 1 });
  });

  it(`adds less than ${PEAK_RSS_GROWTH_BOUND / MiB} MiB to the peak resident memory over the whole run`, () => {
    expect(measured.startRssBytes).toBeGreaterThan(0);
    expect(measured.maxRssBytes - measured.startRssBytes).toBeLessThan(PEAK_RSS_GROWTH_BOUND);
  });

  it('writes nothing outside the scratch folder', async () => {
    const outside = (await walk(sandbox)).filter((path) => {
      const inScratch = !relative(scratch, path).startsWith('..');
      const isAncestor = !relative(path, scratch).startsWith('..');
      const inCorpus = !relative(join(sandbox, 'corpus'), path).startsWith('..');
      return !inScratch && !isAncestor && !inCorpus;
    });
    expect(outside).toEqual([]);
    const written = await walk(scratch);
    expect(written.some((path) => path.endsWith('evil.txt') || path.endsWith('escaped.txt'))).toBe(false);
  });
});

describe('safeUnzip on a sane ZIP', () => {
  it('extracts every file with its bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shazam-unzip-'));
    try {
      const zipPath = join(dir, 'd.zip');
      await writeFile(
        zipPath,
        buildTestZip([
          { name: 'manifest.yaml', data: Buffer.from('asin: B0SANE0001\n') },
          { name: 'references/', data: Buffer.alloc(0), mode: 0o040755 },
          { name: 'references/a b (1).jpg', data: Buffer.from('jpeg'), method: 0 },
          { name: 'model/B0SANE0001.glb', data: Buffer.from('glTF'.repeat(1000)) },
        ]),
      );
      const { files, findings } = await safeUnzip(zipPath, {
        destDir: join(dir, 'out'),
        policy: DEFAULT_POLICY.archive,
      });
      expect(findings).toEqual([]);
      expect(files.map((item) => [item.name, item.bytes])).toEqual([
        ['manifest.yaml', 17],
        ['references/a b (1).jpg', 4],
        ['model/B0SANE0001.glb', 4000],
      ]);
      expect(await readFile(join(dir, 'out', 'model', 'B0SANE0001.glb'), 'utf8')).toBe('glTF'.repeat(1000));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('checkEntryName', () => {
  const limits = { maxNameBytes: 255, maxPathDepth: 4 };
  it.each([
    // each row: name, expected code (undefined: safe)
    ['model/B0X.glb', undefined],
    ['references/photo 1 (front).jpg', undefined],
    ['references/', undefined],
    ['../x', 'ZIP_PATH_TRAVERSAL'],
    ['a/../../x', 'ZIP_PATH_TRAVERSAL'],
    ['a/..', 'ZIP_PATH_TRAVERSAL'],
    ['/x', 'ZIP_ABSOLUTE_PATH'],
    ['Z:x', 'ZIP_DRIVE_LETTER'],
    ['a\\b', 'ZIP_BACKSLASH_PATH'],
    ['a/./b', 'ZIP_INVALID_NAME'],
    ['a//b', 'ZIP_INVALID_NAME'],
    ['a\u0007b', 'ZIP_INVALID_NAME'],
    ['a/b/c/d/e/f', 'ZIP_PATH_TOO_DEEP'],
    ['..foo/bar', undefined],
  ])('%j → %s', (name, code) => {
    expect(checkEntryName(name, Buffer.byteLength(name), limits)?.code).toBe(code);
  });
});
