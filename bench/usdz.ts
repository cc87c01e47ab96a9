/**
 * USDZ sizes and export times over the fixture models: each model's web GLB is built (the peer, measured
 * in the same run), then its AR Quick Look USDZ from that web GLB. Prints one row per model with the ratio
 * of USDZ to web-GLB bytes and time. `npm run bench:usdz`.
 */
import { readFile } from 'node:fs/promises';
import { createGltfIO } from '../lib/gltf/create-io.ts';
import { usdzFromGlb } from '../lib/usdz/usdz-from-glb.ts';
import { optimizeWebGlb } from '../validation/ingest/optimize-web-glb.ts';
import { DEFAULT_POLICY } from '../validation/policy/policy.ts';

const MODELS = [
  'Box/glTF-Binary/Box.glb',
  'BoxTextured/glTF-Binary/BoxTextured.glb',
  'BoxDraco/glTF-Binary-Draco/Box_Draco.glb',
  'Duck/glTF-Binary/Duck.glb',
  'Fox/glTF/Fox.gltf',
  'TextureTransformTest/glTF/TextureTransformTest.gltf',
  'DamagedHelmet/glTF-Binary/DamagedHelmet.glb',
  'WaterBottle/glTF/WaterBottle.gltf',
  'Mixer/glTF-Binary/Mixer.glb',
];

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const io = await createGltfIO();
  console.log('| model | web GLB | web GLB build | USDZ | USDZ export | USDZ/GLB bytes | USDZ/GLB time |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const path of MODELS) {
    const file = `test/fixtures/models/${path}`;
    const document = path.endsWith('.glb')
      ? await io.readBinary(new Uint8Array(await readFile(file)))
      : await io.read(file);
    const webStart = performance.now();
    const web = await optimizeWebGlb(document, {
      maxTextureSize: DEFAULT_POLICY.web.maxTextureSize,
      compression: DEFAULT_POLICY.web.compression,
    });
    const webMs = performance.now() - webStart;
    const usdzStart = performance.now();
    const usdz = await usdzFromGlb(web.bytes, { maxTextureSize: DEFAULT_POLICY.web.maxTextureSize });
    const usdzMs = performance.now() - usdzStart;
    if (!usdz) throw new Error(`${path}: no USDZ`);
    console.log(
      `| ${path.split('/')[0]} | ${kb(web.bytes.byteLength)} | ${webMs.toFixed(0)} ms | ${kb(usdz.byteLength)} | ${usdzMs.toFixed(0)} ms | ${(usdz.byteLength / web.bytes.byteLength).toFixed(2)} | ${(usdzMs / webMs).toFixed(2)} |`,
    );
  }
}

await main();
