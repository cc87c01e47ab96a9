import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildTestZip, type TestZipEntry } from '../../test/support/validation/test-zip.ts';
import { safeUnzip } from '../archive/safe-unzip.ts';
import { checkStructure } from '../checks/check-structure.ts';
import { FINDING_CODES } from '../findings.ts';
import { checkJson, checkModelLimits } from '../gltf/check-model-limits.ts';
import { DEFAULT_POLICY } from '../policy/policy.ts';
import { fuzzParameters, fuzzTimeout } from './fuzz-settings.ts';

const MiB = 1024 * 1024;
const KNOWN = new Set(Object.keys(FINDING_CODES));
/** Heap growth allowed over a whole property (every case's inputs are a few KiB). */
const HEAP_BOUND = 128 * MiB;
let sandbox: string;
let scratch: string;
let counter = 0;

beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'shazam-fuzz-'));
  scratch = join(sandbox, 'a', 'b', 'scratch');
  await mkdir(scratch, { recursive: true });
});
afterAll(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

/** Under `npm run fuzz`, prints how many cases a property ran (the figures in docs/validation.md). */
function report(what: string, cases: number): void {
  if (process.env.SHAZAM_FUZZ === '1') process.stdout.write(`fuzz ${what}: ${cases} cases\n`);
}

async function outsideScratch(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const inScratch = !relative(scratch, path).startsWith('..');
      const ancestor = !relative(path, scratch).startsWith('..');
      if (!inScratch && !ancestor) out.push(path);
      if (entry.isDirectory() && ancestor) await walk(path);
    }
  };
  await walk(sandbox);
  return out;
}

const nameSegment = fc.oneof(
  fc.constantFrom('model', 'references', 'source', '..', '.', '', 'a.jpg', 'B0FUZZ0001.glb', 'A', 'a'),
  fc.string({ minLength: 0, maxLength: 8 }),
);
const entryName = fc.oneof(
  fc.array(nameSegment, { minLength: 1, maxLength: 6 }).map((segments) => segments.join('/')),
  fc.uint8Array({ maxLength: 24 }),
);
const zipEntry: fc.Arbitrary<TestZipEntry> = fc.record(
  {
    name: entryName,
    data: fc.uint8Array({ maxLength: 256 }),
    method: fc.constantFrom(0, 8, 8, 12, 99),
    flags: fc.constantFrom(0x0800, 0x0800, 0, 0x0801, 0x0808),
    mode: fc.constantFrom(0o100644, 0o100644, 0o040755, 0o120777, 0o010644),
    declaredUncompressedSize: fc.nat(),
    declaredCrc: fc.nat(),
    local: fc.record(
      { name: entryName, method: fc.constantFrom(0, 8), uncompressedSize: fc.nat() },
      { requiredKeys: [] },
    ),
    unicodePath: fc.string({ maxLength: 12 }),
    omitFromCentral: fc.boolean(),
  },
  { requiredKeys: ['name', 'data'] },
);
/** A ZIP: built from hostile entries, then possibly cut, and possibly with bytes overwritten. */
const hostileZip = fc
  .tuple(
    fc.array(zipEntry, { maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
  )
  .map(([entries, cut, flips]) => {
    let bytes = buildTestZip(entries);
    if (cut !== undefined && bytes.length > 0) bytes = bytes.subarray(0, cut % bytes.length);
    const copy = Buffer.from(bytes);
    for (const [at, value] of flips) if (copy.length > 0) copy[at % copy.length] = value;
    return copy;
  });

describe('property: the archive reader', () => {
  it(
    'answers any ZIP with known findings or clean files, writes only inside its folder, in bounded memory',
    async () => {
      const heapStart = process.memoryUsage().heapUsed;
      const before = counter;
      await fc.assert(
        fc.asyncProperty(hostileZip, async (zip) => {
          const id = String(counter++);
          const zipPath = join(sandbox, `${id}.zip`);
          await writeFile(zipPath, zip);
          const destDir = join(scratch, id, 'out');
          const result = await safeUnzip(zipPath, {
            destDir,
            nestedDir: join(scratch, id, 'nested'),
            policy: DEFAULT_POLICY.archive,
          });
          await rm(zipPath);
          for (const item of result.findings) expect(KNOWN.has(item.code)).toBe(true);
          if (result.findings.some((item) => item.severity === 'error')) expect(result.files).toEqual([]);
          for (const file of result.files) expect(relative(destDir, file.path).startsWith('..')).toBe(false);
          expect(await outsideScratch()).toEqual([]);
          await rm(join(scratch, id), { recursive: true, force: true });
        }),
        fuzzParameters(400),
      );
      report('archive', counter - before);
      expect(process.memoryUsage().heapUsed - heapStart).toBeLessThan(HEAP_BOUND);
    },
    fuzzTimeout(60_000),
  );
});

/** JSON-ish model text: real glTF keys with hostile values, deep nests, or any bytes. */
const gltfJson = fc.oneof(
  fc
    .record(
      {
        asset: fc.record({ version: fc.constantFrom('2.0', '1.0', 2) }),
        buffers: fc.array(
          fc.record(
            {
              byteLength: fc.oneof(fc.double(), fc.nat(), fc.constant(1e300)),
              uri: fc.oneof(
                fc.string(),
                fc.string().map((text) => `data:;base64,${text}`),
              ),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 4 },
        ),
        accessors: fc.array(
          fc.record(
            {
              count: fc.oneof(fc.nat(), fc.double()),
              type: fc.constantFrom('SCALAR', 'VEC3', 'MAT4', 'X'),
              componentType: fc.constantFrom(5126, 5123, 1),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 4 },
        ),
        extras: fc.jsonValue({ maxDepth: 6 }),
      },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value))),
  fc.integer({ min: 1, max: 5000 }).map((depth) => Buffer.from(`{"extras":${'[{"a":'.repeat(depth)}`)),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
);

describe('property: the GLB/glTF reader', () => {
  it(
    'holds any model JSON or GLB to the limits without throwing',
    async () => {
      const heapStart = process.memoryUsage().heapUsed;
      const before = counter;
      await fc.assert(
        fc.asyncProperty(gltfJson, fc.boolean(), fc.nat(), async (json, asGlb, declared) => {
          for (const item of checkJson(json, 'model/x.glb', DEFAULT_POLICY.model))
            expect(KNOWN.has(item.code)).toBe(true);
          const path = join(scratch, `${counter++}.glb`);
          let bytes: Buffer = json;
          if (asGlb) {
            const header = Buffer.alloc(20);
            header.write('glTF', 0, 'latin1');
            header.writeUInt32LE(2, 4);
            header.writeUInt32LE(20 + json.length, 8);
            header.writeUInt32LE(declared % 3 === 0 ? declared : json.length, 12);
            header.write('JSON', 16, 'latin1');
            bytes = Buffer.concat([header, json]);
          }
          await writeFile(path, bytes);
          const findings = await checkModelLimits(path, 'model/x.glb', DEFAULT_POLICY.model);
          await rm(path);
          for (const item of findings) expect(KNOWN.has(item.code)).toBe(true);
        }),
        fuzzParameters(1000),
      );
      report('model', counter - before);
      expect(process.memoryUsage().heapUsed - heapStart).toBeLessThan(HEAP_BOUND);
    },
    fuzzTimeout(60_000),
  );
});

const manifestText = fc.oneof(
  fc
    .record(
      {
        asin: fc.oneof(fc.constant('B0FUZZ0001'), fc.string()),
        revision: fc.oneof(fc.integer(), fc.double(), fc.string()),
        stages: fc.oneof(fc.array(fc.constantFrom('cleanup', 'uv', 'texturing', 'paint')), fc.jsonValue()),
        notes: fc.string(),
        extra: fc.jsonValue({ maxDepth: 5 }),
      },
      { requiredKeys: [] },
    )
    .map((value) => stringify(value)),
  fc.string({ maxLength: 400 }),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => `asin: ${'['.repeat(depth)}`),
  // Found by this property: the YAML parser ran the process out of memory at about 16 000 levels.
  fc.constant(`asin: ${'['.repeat(20_000)}`),
  fc.constant('a: &a [x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c]\n'),
);

describe('property: the manifest parser', () => {
  it(
    'answers any manifest.yaml with MANIFEST_* findings or a clean pass',
    async () => {
      const before = counter;
      await fc.assert(
        fc.asyncProperty(manifestText, async (text) => {
          const path = join(scratch, `${counter++}.yaml`);
          await writeFile(path, text);
          const { findings, layout } = await checkStructure(
            [{ name: 'manifest.yaml', path, bytes: Buffer.byteLength(text) }],
            { asin: 'B0FUZZ0001', revision: 1, stages: ['cleanup'] },
          );
          await rm(path);
          const manifestFindings = findings.filter((item) => item.code.startsWith('MANIFEST_'));
          for (const item of manifestFindings) expect(item.message.length).toBeGreaterThan(0);
          if (!manifestFindings.some((item) => item.code === 'MANIFEST_INVALID')) {
            expect(layout.manifest?.asin).toBeTypeOf('string');
          }
        }),
        fuzzParameters(1500),
      );
      report('manifest', counter - before);
    },
    fuzzTimeout(60_000),
  );
});
