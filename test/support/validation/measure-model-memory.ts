/**
 * Validates each hostile model of the model corpus (and the real Mixer as a peer) as a folder delivery in
 * this process, and prints each verdict's error codes and this process's peak resident memory (VmHWM).
 *
 * usage: tsx test/support/validation/measure-model-memory.ts
 */
import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../../../validation/policy/policy.ts';
import { validateDeliveryIsolated } from '../../../validation/validate-isolated.ts';

const MiB = 1024 * 1024;
const ASIN = 'B0MEMORY01';
const fixtures = new URL('../../fixtures/', import.meta.url);
const root = await mkdtemp(join(tmpdir(), 'shazam-model-memory-'));

/** Each case writes its model file at the path given. */
const cases: Record<string, (path: string) => Promise<void>> = {
  'data-uri-200mb': async (path) => {
    const handle = await open(path, 'w');
    await handle.write('{"asset":{"version":"2.0"},"buffers":[{"byteLength":157286400,"uri":"data:;base64,');
    const chunk = Buffer.alloc(MiB, 0x41); // written a MiB at a time: the generator's own memory stays small
    for (let written = 0; written < 200; written++) await handle.write(chunk);
    await handle.write('"}]}');
    await handle.close();
  },
  'glb-json-chunk-4gib': async (path) => {
    const header = Buffer.alloc(20);
    header.write('glTF', 0, 'latin1');
    header.writeUInt32LE(2, 4);
    header.writeUInt32LE(0xffffffff, 8);
    header.writeUInt32LE(0xfffffff0, 12);
    header.write('JSON', 16, 'latin1');
    await writeFile(path, header);
  },
  'depth-100k': (path) =>
    writeFile(path, `{"asset":{"version":"2.0"},"extras":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
  'buffer-byte-length-2^53': (path) =>
    writeFile(path, '{"asset":{"version":"2.0"},"buffers":[{"byteLength":9007199254740991}]}'),
  'sparse-accessor-1e9': (path) =>
    writeFile(
      path,
      '{"asset":{"version":"2.0"},"accessors":[{"count":1000000000,"type":"MAT4","componentType":5126,"sparse":{"count":1,"indices":{"bufferView":0,"componentType":5125},"values":{"bufferView":0}}}]}',
    ),
  'mixer-legit': (path) => copyFile(new URL('models/Mixer/glTF-Binary/Mixer.glb', fixtures), path),
};

const results: Record<string, string[]> = {};
const peaks: Record<string, number> = {};
for (const [id, write] of Object.entries(cases)) {
  const dir = join(root, id);
  await mkdir(join(dir, 'model'), { recursive: true });
  await mkdir(join(dir, 'references'));
  await copyFile(new URL('reference-images/Mixer-0.jpg', fixtures), join(dir, 'references', 'a.jpg'));
  await write(join(dir, 'model', `${ASIN}.glb`));
  const { report } = await validateDeliveryIsolated({
    source: { dir },
    asin: ASIN,
    revision: 1,
    stages: ['cleanup', 'uv', 'texturing'],
    policy: { ...DEFAULT_POLICY, model: { ...DEFAULT_POLICY.model, maxModelBytes: 256 * MiB } },
    scratchDir: join(root, `${id}-scratch`),
  });
  results[id] = report.findings.filter((item) => item.severity === 'error').map((item) => item.code);
  await rm(dir, { recursive: true, force: true });
  peaks[id] = await peakRssMiB();
}
await rm(root, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ results, peakRssMiBAfter: peaks }, null, 1)}\n`);

/** VmHWM: the peak resident memory of this process so far. */
async function peakRssMiB(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Math.round(Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) / 1024);
}
