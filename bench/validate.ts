/**
 * `npm run bench:validate`: throughput of the whole validation (folder delivery: structure, glTF-Validator,
 * cleanup/UV/texturing checks, references, profiles) on the fixture models, against Khronos glTF-Validator
 * alone on the same GLBs in the same run. Prints MB/s per model and overall, and the ratio of our time to
 * the validator's (our overhead). Timings vary with the machine; the ratio is what to compare.
 *
 * usage: npm run bench:validate [-- --rounds 5]
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import validator from 'gltf-validator';
import { createGltfIO } from '../lib/gltf/create-io.ts';
import { GLTF_SEVERITY_OVERRIDES } from '../validation/gltf/run-gltf-validator.ts';
import { DEFAULT_POLICY } from '../validation/policy/policy.ts';
import { validateDelivery } from '../validation/validate-delivery.ts';

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
const MODELS = [
  'Box/glTF-Binary/Box.glb',
  'BoxTextured/glTF-Binary/BoxTextured.glb',
  'Duck/glTF-Binary/Duck.glb',
  'DamagedHelmet/glTF-Binary/DamagedHelmet.glb',
  'WaterBottle/glTF/WaterBottle.gltf',
  'Fox/glTF/Fox.gltf',
  'TextureTransformTest/glTF/TextureTransformTest.gltf',
  'Mixer/glTF-Binary/Mixer.glb',
];
const ASIN = 'B0BENCH001';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number ≥ 1');

const io = await createGltfIO();
const root = await mkdtemp(join(tmpdir(), 'shazam-bench-'));
try {
  const rows: { name: string; bytes: number; validatorMs: number; oursMs: number }[] = [];
  for (const path of MODELS) {
    const glb = path.endsWith('.glb')
      ? new Uint8Array(await readFile(join(fixtures, 'models', path)))
      : await io.writeBinary(await io.read(join(fixtures, 'models', path)));
    const dir = join(root, path.split('/')[0]!);
    await mkdir(join(dir, 'model'), { recursive: true });
    await mkdir(join(dir, 'references'), { recursive: true });
    await writeFile(join(dir, 'model', `${ASIN}.glb`), glb);
    await copyFile(join(fixtures, 'reference-images/Mixer-0.jpg'), join(dir, 'references/a.jpg'));
    const validatorOnly = () =>
      validator.validateBytes(glb, {
        maxIssues: 10_000,
        writeTimestamp: false,
        severityOverrides: GLTF_SEVERITY_OVERRIDES,
      });
    const ours = () =>
      validateDelivery({
        source: { dir },
        asin: ASIN,
        revision: 1,
        stages: ['cleanup', 'uv', 'texturing'],
        policy: DEFAULT_POLICY,
        scratchDir: join(root, 'scratch'),
      });
    // One warm-up of each (JIT, decoder modules), then interleaved rounds so drift hits both alike.
    await validatorOnly();
    await ours();
    let validatorMs = 0;
    let oursMs = 0;
    for (let round = 0; round < rounds; round++) {
      let start = performance.now();
      await validatorOnly();
      validatorMs += performance.now() - start;
      start = performance.now();
      await ours();
      oursMs += performance.now() - start;
    }
    rows.push({
      name: path.split('/')[0]!,
      bytes: glb.byteLength,
      validatorMs: validatorMs / rounds,
      oursMs: oursMs / rounds,
    });
  }
  const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
  const lines = [
    `validation throughput, ${rounds} round(s) per model, Node ${process.version}, glTF-Validator ${validator.version()}`,
    '',
    `${'model'.padEnd(22)}${'GLB MB'.padStart(9)}${'validator ms'.padStart(14)}${'ours ms'.padStart(10)}${'validator MB/s'.padStart(16)}${'ours MB/s'.padStart(12)}${'ratio'.padStart(8)}`,
  ];
  for (const row of rows) {
    lines.push(
      `${row.name.padEnd(22)}${(row.bytes / 1e6).toFixed(2).padStart(9)}${row.validatorMs.toFixed(1).padStart(14)}${row.oursMs.toFixed(1).padStart(10)}` +
        `${mbps(row.bytes, row.validatorMs).toFixed(1).padStart(16)}${mbps(row.bytes, row.oursMs).toFixed(1).padStart(12)}${(row.oursMs / row.validatorMs).toFixed(2).padStart(8)}`,
    );
  }
  const bytes = rows.reduce((sum, row) => sum + row.bytes, 0);
  const validatorMs = rows.reduce((sum, row) => sum + row.validatorMs, 0);
  const oursMs = rows.reduce((sum, row) => sum + row.oursMs, 0);
  lines.push(
    '',
    `all fixtures: ${(bytes / 1e6).toFixed(2)} MB; glTF-Validator alone ${mbps(bytes, validatorMs).toFixed(1)} MB/s; ` +
      `full validation ${mbps(bytes, oursMs).toFixed(1)} MB/s; ratio ours/validator ${(oursMs / validatorMs).toFixed(2)}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await rm(root, { recursive: true, force: true });
}
