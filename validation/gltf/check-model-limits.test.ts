import { copyFile, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../policy/load-policy.ts';
import { DEFAULT_POLICY } from '../policy/policy.ts';
import { validateDeliveryIsolated } from '../validate-isolated.ts';
import { checkJson, checkModelLimits, dataUriBytes, depthExceeded } from './check-model-limits.ts';

const MiB = 1024 * 1024;
const roots: string[] = [];
const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const ASIN = 'B0LIMITS01';
const nested = (depth: number) =>
  `{"asset":{"version":"2.0"},"extras":${'['.repeat(depth)}${']'.repeat(depth)}}`;

async function sandbox(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shazam-limits-'));
  roots.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of roots) await rm(dir, { recursive: true, force: true });
});

describe('checkModelLimits', () => {
  it('refuses a glTF with a ~200 MB data: URI from its size, without reading it', async () => {
    const path = join(await sandbox(), 'm.glb');
    const handle = await open(path, 'w');
    await handle.write('{"asset":{"version":"2.0"},"buffers":[{"byteLength":150000000,"uri":"data:;base64,');
    await handle.truncate(200 * MiB); // sparse: the bytes exist for the reader, not on disk
    await handle.close();
    const before = process.memoryUsage().rss;
    const findings = await checkModelLimits(path, 'model/x.glb', {
      ...DEFAULT_POLICY.model,
      maxModelBytes: 256 * MiB,
    });
    expect(findings.map((item) => item.code)).toEqual(['GLTF_JSON_TOO_LARGE']);
    expect(process.memoryUsage().rss - before).toBeLessThan(32 * MiB);
  });

  it('refuses a GLB whose JSON chunk header declares more than the limit', async () => {
    const path = join(await sandbox(), 'm.glb');
    const header = Buffer.alloc(20);
    header.write('glTF', 0, 'latin1');
    header.writeUInt32LE(2, 4);
    header.writeUInt32LE(0xffffffff, 8);
    header.writeUInt32LE(0xfffffff0, 12);
    header.write('JSON', 16, 'latin1');
    await writeFile(path, header);
    const findings = await checkModelLimits(path, 'model/x.glb', DEFAULT_POLICY.model);
    expect(findings.map((item) => item.code)).toEqual(['GLTF_JSON_TOO_LARGE']);
  });

  it.each([
    // each row: JSON, expected codes
    [nested(10_000), ['GLTF_JSON_TOO_DEEP']],
    [`{"a":"${'['.repeat(100)}"}`, []], // brackets inside a string do not nest
    ['{"buffers":[{"byteLength":1e12}]}', ['GLTF_DECLARED_TOO_LARGE']],
    [`{"buffers":[{"uri":"data:;base64,${'A'.repeat(4000)}"}]}`, []],
    ['{"accessors":[{"count":1000000000,"type":"VEC3","componentType":5126}]}', ['GLTF_DECLARED_TOO_LARGE']],
    ['{"accessors":[{"count":1000,"type":"VEC3","componentType":5126}]}', []],
    ['not json', []],
  ])('%#: %s → %j', (json, codes) => {
    const findings = checkJson(Buffer.from(json.slice(0, 200_000)), 'model/x.glb', DEFAULT_POLICY.model);
    expect(findings.map((item) => item.code)).toEqual(codes);
  });

  it('measures depth and data: payloads without decoding', () => {
    expect(depthExceeded(Buffer.from('[[[]]]'), 3)).toBeUndefined();
    expect(depthExceeded(Buffer.from('[[[[]]]]'), 3)).toBe(3);
    expect(dataUriBytes('data:application/octet-stream;base64,AAAA')).toBe(3);
    expect(dataUriBytes('data:application/octet-stream;base64,AA==')).toBe(1);
    expect(dataUriBytes('https://x')).toBe(0);
  });
});

describe('validateDeliveryIsolated', () => {
  async function delivery(model: string): Promise<string> {
    const dir = await sandbox();
    await mkdir(join(dir, 'model'));
    await mkdir(join(dir, 'references'));
    await copyFile(join(fixtures, 'reference-images', 'Mixer-0.jpg'), join(dir, 'references', 'a.jpg'));
    await writeFile(join(dir, 'model', `${ASIN}.glb`), model);
    return dir;
  }

  it('answers a 10 000-deep JSON with a finding the artist can read', async () => {
    const { report } = await validateDeliveryIsolated({
      source: { dir: await delivery(nested(10_000)) },
      asin: ASIN,
      revision: 1,
      stages: ['cleanup'],
      policy: DEFAULT_POLICY,
      scratchDir: join(await sandbox(), 'scratch'),
    });
    expect(report.verdict).toBe('Failed');
    expect(report.findings.map((item) => item.code)).toContain('GLTF_JSON_TOO_DEEP');
  });

  it('still reports when the checks themselves crash (a depth the policy lets through overflows glTF-Validator)', async () => {
    const { report } = await validateDeliveryIsolated({
      source: { dir: await delivery(nested(200_000)) },
      asin: ASIN,
      revision: 1,
      stages: ['cleanup'],
      // The severity override must not soften it either.
      policy: resolvePolicy({
        model: { maxJsonDepth: 1_000_000 },
        severities: { VALIDATION_ABORTED: 'info' },
      }),
      scratchDir: join(await sandbox(), 'scratch'),
    });
    expect(report.verdict).toBe('Failed');
    const aborted = report.findings.find((item) => item.code === 'VALIDATION_ABORTED');
    expect(aborted?.severity).toBe('error');
    expect(aborted?.message).toMatch(/nested too deeply/);
  });
});
