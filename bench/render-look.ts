/**
 * The look half of `npm run bench:render` (BENCH_MODE=look): renders each model with SHAZAM's renderer and
 * with <model-viewer> (neutral environment, neutral tone mapping) in the same run, from the same
 * elevation, with the model turned to the same angles under a fixed camera and environment (a turntable),
 * on a transparent background; compares the mean brightness and colour of the product's pixels, and
 * writes a contact sheet (per model: SHAZAM, model-viewer at each angle).
 */
import sharp from 'sharp';
import type { GpuContext } from '../render-job/gpu/create-gpu-context.ts';
import {
  compareLook,
  type LookDifference,
  mergeRegionStats,
  productRegionStats,
  type RegionStats,
} from '../render-job/look/product-region.ts';
import type { OutputSink } from '../render-job/output/output-sink.ts';
import { renderTurntable } from '../render-job/render-turntable.ts';

/** One model to compare. */
export interface LookModel {
  name: string;
  /** The model's bytes and local path (a `.gltf` needs its side files). */
  bytes: Uint8Array;
  path: string;
  /** Where the browser loads it from. */
  url: string;
}

/** Options of {@link compareLooks}. */
export interface LookOptions {
  page: import('playwright-core').Page;
  gpu: GpuContext;
  models: LookModel[];
  resolution: number;
  elevationDeg: number;
  /** Turntable angles compared, degrees. */
  anglesDeg: number[];
  /** Where the contact sheet goes (WebP), or undefined for none. */
  sheetPath?: string | undefined;
}

/** One model's result. */
export interface LookRow {
  model: string;
  ours: RegionStats;
  modelViewer: RegionStats;
  difference: LookDifference;
}

/**
 * model-viewer side, as source text (tsx would inject helpers the page lacks): loads `src`, keeps the
 * camera at the given elevation in front, turns the model (`orientation` yaw, so the environment stays
 * fixed as on a turntable) and returns each frame as a base64 PNG with alpha.
 */
const CAPTURE = `async ({ src, anglesDeg, elevationDeg }) => {
  const mv = document.getElementById('mv');
  await new Promise((resolve, reject) => {
    mv.addEventListener('load', () => resolve(), { once: true });
    mv.addEventListener('error', () => reject(new Error('model-viewer failed to load ' + src)), { once: true });
    mv.src = src;
  });
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const frames = [];
  for (const angle of anglesDeg) {
    mv.orientation = '0deg 0deg ' + angle + 'deg';
    mv.cameraOrbit = '0deg ' + (90 - elevationDeg) + 'deg auto';
    mv.jumpCameraToGoal();
    await nextFrame();
    await nextFrame();
    const blob = await mv.toBlob({ mimeType: 'image/png' });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    frames.push(btoa(text));
  }
  return frames;
}`;

/** Renders and compares every model; writes the contact sheet when asked. */
export async function compareLooks(options: LookOptions): Promise<LookRow[]> {
  const { page, gpu, resolution, elevationDeg, anglesDeg } = options;
  const rows: LookRow[] = [];
  const sheetRows: Array<{ model: string; ours: Buffer[]; modelViewer: Buffer[] }> = [];
  for (const model of options.models) {
    const ours = await renderOurs(model, gpu, resolution, elevationDeg, anglesDeg);
    const args = JSON.stringify({ src: model.url, anglesDeg, elevationDeg });
    const encoded = (await page.evaluate(`(${CAPTURE})(${args})`)) as string[];
    const theirs = encoded.map((text) => Buffer.from(text, 'base64'));
    const statsOf = async (frames: Buffer[]) =>
      mergeRegionStats(await Promise.all(frames.map(async (png) => productRegionStats(await rgbaOf(png)))));
    const oursStats = await statsOf(ours);
    const theirStats = await statsOf(theirs);
    rows.push({
      model: model.name,
      ours: oursStats,
      modelViewer: theirStats,
      difference: compareLook(oursStats, theirStats),
    });
    sheetRows.push({ model: model.name, ours, modelViewer: theirs });
  }
  if (options.sheetPath) await writeContactSheet(options.sheetPath, sheetRows, anglesDeg);
  return rows;
}

async function renderOurs(
  model: LookModel,
  gpu: GpuContext,
  resolution: number,
  elevationDeg: number,
  anglesDeg: number[],
): Promise<Buffer[]> {
  const frames = new Map<string, Buffer>();
  const sink: OutputSink = {
    locate: (path) => `memory:${path}`,
    async write(path, data) {
      if (path.endsWith('.png')) frames.set(path, Buffer.from(data));
    },
  };
  // The turntable's own angles: N evenly spaced frames starting at 0°.
  const manifest = await renderTurntable({ bytes: model.bytes, uri: model.path, path: model.path }, sink, {
    gpu,
    frames: 360 / (anglesDeg[1] ?? 360),
    resolution,
    elevationDeg,
    background: 'transparent',
    formats: ['png'],
  });
  return anglesDeg.map((angle) => {
    const frame = manifest.frames.find((f) => Math.abs(f.angleDeg - angle) < 1e-6);
    const file = frame?.files.png ? frames.get(frame.files.png) : undefined;
    if (!file) throw new Error(`no frame at ${angle}° for ${model.name}`);
    return file;
  });
}

async function rgbaOf(png: Buffer): Promise<Uint8Array> {
  const { data } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const TILE = 160;
const LABEL = 150;
const HEADER = 28;

/** Rows of models; per angle a SHAZAM tile then a model-viewer tile, on white, with labels. */
async function writeContactSheet(
  path: string,
  rows: Array<{ model: string; ours: Buffer[]; modelViewer: Buffer[] }>,
  anglesDeg: number[],
): Promise<void> {
  const columns = anglesDeg.length * 2;
  const width = LABEL + columns * TILE;
  const height = HEADER + rows.length * TILE;
  const text = (x: number, y: number, value: string, size = 14) =>
    `<text x="${x}" y="${y}" font-family="sans-serif" font-size="${size}" fill="#222">${value}</text>`;
  const labels = [
    ...anglesDeg.flatMap((angle, i) => [
      text(LABEL + i * 2 * TILE + 8, 19, `SHAZAM ${angle}°`),
      text(LABEL + (i * 2 + 1) * TILE + 8, 19, `model-viewer ${angle}°`),
    ]),
    ...rows.map((row, r) => text(8, HEADER + r * TILE + TILE / 2, row.model)),
  ];
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${labels.join('')}</svg>`,
  );
  const tiles = await Promise.all(
    rows.flatMap((row, r) =>
      anglesDeg.flatMap((_, a) =>
        [row.ours[a]!, row.modelViewer[a]!].map(async (png, side) => ({
          input: await sharp(png).resize(TILE, TILE).png().toBuffer(),
          left: LABEL + (a * 2 + side) * TILE,
          top: HEADER + r * TILE,
        })),
      ),
    ),
  );
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([...tiles, { input: svg, left: 0, top: 0 }])
    .webp({ quality: 88 })
    .toFile(path);
}
