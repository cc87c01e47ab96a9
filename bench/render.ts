/**
 * `npm run bench:render`: seconds per 1024² turntable frame (render + readback + WebP encode) of SHAZAM's
 * renderer against Google's <model-viewer> in headless Debian Chromium (driven by playwright-core), on the
 * same fixtures, the same angles and the same resolution, in the same run on the same machine. Prints one
 * line per model and the ratio (model-viewer seconds ÷ ours; above 1 means we are faster).
 *
 * Both run on whatever this machine has: on a machine without a GPU that is Mesa llvmpipe for us and
 * SwiftShader for Chromium. Chromium gets DESIGN.md's flags for a closed network.
 *
 * Each side runs BENCH_REPEATS times, alternating, and keeps its fastest run: on a machine shared with other
 * work, the minimum is the figure least distorted by someone else's load.
 *
 * Options (environment): BENCH_MODE (speed, the default; look: brightness and colour against model-viewer,
 * see render-look.ts; reference: against the Mixer's 3D Commerce reference renders from the file's own
 * cameras, see render-reference.ts, contact sheet at BENCH_SHEET, default docs/render-reference.webp; gpu: the
 * GPU table, see render-gpu.ts), BENCH_FRAMES (default 8), BENCH_RESOLUTION
 * (1024; 512 for look), BENCH_REPEATS (2), BENCH_MODELS (comma list), CHROMIUM_PATH (default
 * /usr/bin/chromium), BENCH_SHEET (look: contact sheet path, docs/render-look.webp), BENCH_LOOK_JSON (look:
 * write model-viewer's figures there).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { createGpuContext } from '../render-job/gpu/create-gpu-context.ts';
import { directorySink } from '../render-job/output/directory-sink.ts';
import type { OutputSink } from '../render-job/output/output-sink.ts';
import { renderTurntable } from '../render-job/render-turntable.ts';
import {
  MATERIAL_MODELS,
  type MaterialModelName,
  materialModel,
} from '../render-job/test-support/material-models.ts';
import { benchGpu } from './render-gpu.ts';
import { compareLooks, type LookModel } from './render-look.ts';
import { compareWithReferences } from './render-reference.ts';

const ROOT = join(import.meta.dirname, '..');
const MODELS_DIR = join(ROOT, 'test/fixtures/models');
const MODEL_VIEWER = join(ROOT, 'node_modules/@google/model-viewer/dist/model-viewer.min.js');
const FIXTURES: Record<string, string> = {
  Box: 'Box/glTF-Binary/Box.glb',
  Duck: 'Duck/glTF-Binary/Duck.glb',
  DamagedHelmet: 'DamagedHelmet/glTF-Binary/DamagedHelmet.glb',
  WaterBottle: 'WaterBottle/glTF/WaterBottle.gltf',
  Mixer: 'Mixer/glTF-Binary/Mixer.glb',
};
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Chromium only falls back to SwiftShader for WebGL when allowed to.
  '--enable-unsafe-swiftshader',
];

const frames = Number(process.env.BENCH_FRAMES ?? 8);
const resolution = Number(process.env.BENCH_RESOLUTION ?? 1024);
const repeats = Number(process.env.BENCH_REPEATS ?? 2);
/** When set, the last frame of each side is saved there, to check both rendered the model. */
const saveDir = process.env.BENCH_SAVE_DIR;
const elevationDeg = 15;
const models = (process.env.BENCH_MODELS ?? Object.keys(FIXTURES).join(',')).split(',');

/** Counts bytes, keeps nothing: the benchmark measures encoding, not the disk. */
function nullSink(): OutputSink & { bytes: number } {
  const sink = {
    bytes: 0,
    locate: (path: string) => `memory:${path}`,
    async write(_path: string, data: Uint8Array) {
      sink.bytes += data.byteLength;
    },
  };
  return sink;
}

/** Models made in memory (`render-job/test-support/material-models.ts`), served under `/generated/`. */
const generated = new Map<string, Uint8Array>();

async function serveFixtures(): Promise<Server> {
  const types: Record<string, string> = {
    '.glb': 'model/gltf-binary',
    '.gltf': 'model/gltf+json',
    '.bin': 'application/octet-stream',
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.js': 'text/javascript',
  };
  const server = createServer(async (request, response) => {
    const url = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    try {
      const made = generated.get(url);
      if (made) {
        response.writeHead(200, { 'content-type': 'model/gltf-binary' });
        response.end(made);
        return;
      }
      if (url === '/') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(PAGE);
        return;
      }
      const file =
        url === '/model-viewer.js'
          ? MODEL_VIEWER
          : join(MODELS_DIR, normalize(url.replace(/^\/models\//, '')));
      if (!file.startsWith(MODELS_DIR) && file !== MODEL_VIEWER) throw new Error('outside');
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const PAGE = `<!doctype html><html><head><style>html,body{margin:0;background:#fff}
model-viewer{width:${resolution}px;height:${resolution}px;--poster-color:transparent}</style>
<script type="module" src="/model-viewer.js"></script></head><body>
<model-viewer id="mv" interaction-prompt="none" disable-zoom shadow-intensity="0" tone-mapping="neutral"></model-viewer>
</body></html>`;

interface Timing {
  model: string;
  ours: number;
  modelViewer: number;
  adapter: string;
}

/**
 * The browser side, as source text: tsx's transform would otherwise inject helpers (`__name`) that do not
 * exist in the page.
 */
const MODEL_VIEWER_LOOP = `async ({ src, frames, elevationDeg }) => {
  const mv = document.getElementById('mv');
  await new Promise((resolve, reject) => {
    mv.addEventListener('load', () => resolve(), { once: true });
    mv.addEventListener('error', (event) => reject(new Error('model-viewer failed to load ' + src)), { once: true });
    mv.src = src;
  });
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  // One untimed frame: shader compilation and environment generation happen on the first render.
  await nextFrame();
  const first = await createImageBitmap(await mv.toBlob({ mimeType: 'image/webp', qualityArgument: 0.9 }));
  if (first.width !== mv.clientWidth || first.height !== mv.clientHeight) {
    throw new Error('model-viewer rendered ' + first.width + 'x' + first.height + ', not the full frame');
  }
  const started = performance.now();
  for (let k = 0; k < frames; k++) {
    // model-viewer orbits the camera; turning it clockwise shows the model turned counter-clockwise.
    mv.cameraOrbit = (-k * 360 / frames) + 'deg ' + (90 - elevationDeg) + 'deg auto';
    mv.jumpCameraToGoal();
    await nextFrame();
    const blob = await mv.toBlob({ mimeType: 'image/webp', qualityArgument: 0.9 });
    await blob.arrayBuffer();
  }
  return (performance.now() - started) / 1000 / frames;
}`;

async function saveModelViewerFrame(page: import('playwright-core').Page, file: string): Promise<void> {
  const base64 = (await page.evaluate(`(async () => {
    const blob = await document.getElementById('mv').toBlob({ mimeType: 'image/webp', qualityArgument: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  })()`)) as string;
  await mkdir(saveDir ?? '.', { recursive: true });
  await writeFile(file, Buffer.from(base64, 'base64'));
}

async function benchModelViewer(page: import('playwright-core').Page, url: string): Promise<number> {
  const args = JSON.stringify({ src: url, frames, elevationDeg });
  return page.evaluate(`(${MODEL_VIEWER_LOOP})(${args})`) as Promise<number>;
}

/** BENCH_MODE=look: brightness and colour of the product against model-viewer, and a contact sheet. */
async function mainLook(): Promise<void> {
  const resolution = Number(process.env.BENCH_RESOLUTION ?? 512);
  const names = (process.env.BENCH_MODELS ?? [...Object.keys(FIXTURES), ...MATERIAL_MODELS].join(',')).split(
    ',',
  );
  const server = await serveFixtures();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const gpu = await createGpuContext({ allowSoftware: true });
  try {
    const lookModels: LookModel[] = [];
    for (const name of names) {
      if ((MATERIAL_MODELS as readonly string[]).includes(name)) {
        const bytes = await materialModel(name as MaterialModelName);
        generated.set(`/generated/${name}.glb`, bytes);
        lookModels.push({ name, bytes, path: `${name}.glb`, url: `${base}/generated/${name}.glb` });
        continue;
      }
      const relative = FIXTURES[name];
      if (!relative) throw new Error(`unknown model ${name}`);
      const path = join(MODELS_DIR, relative);
      lookModels.push({ name, bytes: await readFile(path), path, url: `${base}/models/${relative}` });
    }
    const context = await browser.newContext({
      viewport: { width: resolution, height: resolution },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    await page.goto(base);
    await page.waitForFunction(() => customElements.get('model-viewer') !== undefined);
    await page.evaluate("customElements.get('model-viewer').minimumRenderScale = 1");
    const rows = await compareLooks({
      page,
      gpu,
      models: lookModels,
      resolution,
      elevationDeg,
      anglesDeg: [0, 90, 180, 270],
      sheetPath: process.env.BENCH_SHEET ?? join(ROOT, 'docs/render-look.webp'),
    });
    const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
    const rgb = (value: [number, number, number]) => value.map((c) => Math.round(c * 255)).join('/');
    console.log(
      [
        '',
        `product region (alpha ≥ 250), ${resolution}² frames at 0/90/180/270°, elevation ${elevationDeg}°, adapter ${gpu.summary.description || gpu.summary.device}`,
        `browser: Chromium ${browser.version()} model-viewer neutral environment, neutral tone mapping`,
        `${'model'.padEnd(18)}${'brightness ours / mv'.padStart(22)}${'ratio'.padStart(8)}${'mean RGB ours'.padStart(16)}${'mean RGB mv'.padStart(14)}${'max RGB Δ'.padStart(11)}`,
        ...rows.map(
          (row) =>
            `${row.model.padEnd(18)}${`${row.ours.brightness.toFixed(3)} / ${row.modelViewer.brightness.toFixed(3)}`.padStart(22)}${row.difference.brightnessRatio.toFixed(3).padStart(8)}${rgb(row.ours.meanRgb).padStart(16)}${rgb(row.modelViewer.meanRgb).padStart(14)}${pct(row.difference.colourDifference).padStart(11)}`,
        ),
      ].join('\n'),
    );
    if (process.env.BENCH_LOOK_JSON) {
      // model-viewer's side as a reference for render-job/look.test.ts.
      const reference = {
        source: `model-viewer (Chromium ${browser.version()}, SwiftShader), neutral environment and tone mapping`,
        resolution,
        elevationDeg,
        anglesDeg: [0, 90, 180, 270],
        models: Object.fromEntries(
          rows.map((row) => [
            row.model,
            {
              brightness: round(row.modelViewer.brightness),
              meanRgb: row.modelViewer.meanRgb.map(round),
              pixels: row.modelViewer.pixels,
            },
          ]),
        ),
      };
      await writeFile(process.env.BENCH_LOOK_JSON, `${JSON.stringify(reference, null, 2)}\n`);
    }
    await context.close();
  } finally {
    gpu.destroy();
    await browser.close();
    server.close();
  }
}

async function main(): Promise<void> {
  const server = await serveFixtures();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const gpu = await createGpuContext({ allowSoftware: true });
  const adapter = `${gpu.summary.description || gpu.summary.device} (${gpu.summary.backend})`;
  const results: Timing[] = [];
  try {
    for (const model of models) {
      const relative = FIXTURES[model];
      if (!relative)
        throw new Error(`unknown model ${model}; choose from ${Object.keys(FIXTURES).join(', ')}`);
      const path = join(MODELS_DIR, relative);
      const bytes = await readFile(path);
      // Warm-up run (shader compilation, texture decode caches), then the timed runs.
      const options = { frames, resolution, elevationDeg, formats: ['webp' as const], gpu };
      await renderTurntable({ bytes, uri: path, path }, nullSink(), { ...options, frames: 1 });
      const context = await browser.newContext({
        viewport: { width: resolution, height: resolution },
        deviceScaleFactor: 1,
      });
      let ours = Number.POSITIVE_INFINITY;
      let modelViewer = Number.POSITIVE_INFINITY;
      let best: Awaited<ReturnType<typeof renderTurntable>> | undefined;
      for (let run = 0; run < repeats; run++) {
        const sink = saveDir && run === 0 ? directorySink(join(saveDir, `${model}-shazam`)) : nullSink();
        const manifest = await renderTurntable({ bytes, uri: path, path }, sink, options);
        if (manifest.timings.renderSeconds / frames < ours) {
          ours = manifest.timings.renderSeconds / frames;
          best = manifest;
        }
        const page = await context.newPage();
        await page.goto(base);
        await page.waitForFunction(() => customElements.get('model-viewer') !== undefined);
        // model-viewer lowers its render resolution when frames are slow; the comparison needs full frames.
        await page.evaluate("customElements.get('model-viewer').minimumRenderScale = 1");
        modelViewer = Math.min(modelViewer, await benchModelViewer(page, `${base}/models/${relative}`));
        if (saveDir && run === 0)
          await saveModelViewerFrame(page, join(saveDir, `${model}-model-viewer.webp`));
        await page.close();
      }
      await context.close();
      const manifest = best!;
      results.push({ model, ours, modelViewer, adapter });
      console.log(
        JSON.stringify({
          model,
          resolution,
          frames,
          repeats,
          oursSecondsPerFrame: round(ours),
          oursRenderMsPerFrame: manifest.timings.meanFrameRenderMs,
          oursEncodeMsPerFrame: manifest.timings.meanFrameEncodeMs,
          modelViewerSecondsPerFrame: round(modelViewer),
          ratio: round(modelViewer / ours),
        }),
      );
    }
  } finally {
    gpu.destroy();
    await browser.close();
    server.close();
  }
  const lines = [
    '',
    `seconds per ${resolution}² frame (render + readback + WebP encode), ${frames} frames, best of ${repeats}, adapter ${adapter}`,
    `browser: Chromium ${browser.version()} --disable-gpu (SwiftShader WebGL)`,
    `${'model'.padEnd(16)}${'shazam'.padStart(10)}${'model-viewer'.padStart(14)}${'ratio'.padStart(8)}`,
    ...results.map(
      (r) =>
        `${r.model.padEnd(16)}${r.ours.toFixed(3).padStart(10)}${r.modelViewer.toFixed(3).padStart(14)}${(r.modelViewer / r.ours).toFixed(2).padStart(8)}`,
    ),
  ];
  const geometric = Math.exp(
    results.reduce((sum, r) => sum + Math.log(r.modelViewer / r.ours), 0) / results.length,
  );
  lines.push(`geometric mean ratio (model-viewer ÷ shazam): ${geometric.toFixed(2)}`);
  console.log(lines.join('\n'));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * BENCH_MODE=reference: the Mixer rendered from each of its own cameras against the Khronos 3D Commerce
 * reference render from that camera (product brightness, mean RGB, silhouette IoU), and a contact sheet.
 */
async function mainReference(): Promise<void> {
  const path = join(MODELS_DIR, FIXTURES.Mixer!);
  const gpu = await createGpuContext({ allowSoftware: true });
  try {
    const started = performance.now();
    const rows = await compareWithReferences({
      gpu,
      model: { name: 'Mixer', bytes: await readFile(path), path },
      references: [0, 1, 2].map((k) => ({
        camera: `camera${k}`,
        path: join(MODELS_DIR, `Mixer/rr-Mixer-${k}.png`),
      })),
      sheetPath: process.env.BENCH_SHEET ?? join(ROOT, 'docs/render-reference.webp'),
    });
    const rgb = (value: [number, number, number]) => value.map((c) => Math.round(c * 255)).join('/');
    console.log(
      [
        '',
        `Mixer from its own cameras on white against the 3D Commerce reference renders; product = not white (each channel ≥ 254 is background) in both; adapter ${gpu.summary.description || gpu.summary.device}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
        `${'camera'.padEnd(9)}${'size'.padStart(6)}${'brightness ours / ref'.padStart(23)}${'ratio'.padStart(8)}${'mean RGB ours'.padStart(16)}${'mean RGB ref'.padStart(15)}${'max RGB Δ'.padStart(11)}${'IoU'.padStart(8)}${'only ours / ref'.padStart(17)}`,
        ...rows.map(
          (row) =>
            `${row.camera.padEnd(9)}${(row.resolution ? String(row.resolution) : '').padStart(6)}${`${row.ours.brightness.toFixed(3)} / ${row.reference.brightness.toFixed(3)}`.padStart(23)}${row.difference.brightnessRatio.toFixed(3).padStart(8)}${rgb(row.ours.meanRgb).padStart(16)}${rgb(row.reference.meanRgb).padStart(15)}${`${(row.difference.colourDifference * 100).toFixed(1)}%`.padStart(11)}${row.silhouetteIoU.toFixed(4).padStart(8)}${`${row.onlyOurs} / ${row.onlyReference}`.padStart(17)}`,
        ),
      ].join('\n'),
    );
  } finally {
    gpu.destroy();
  }
}

const mode = process.env.BENCH_MODE ?? 'speed';
if (mode === 'look') await mainLook();
else if (mode === 'reference') await mainReference();
else if (mode === 'gpu') await benchGpu(ROOT, FIXTURES);
else if (mode === 'speed') await main();
else throw new Error(`BENCH_MODE must be speed, look, reference or gpu, got ${mode}`);
