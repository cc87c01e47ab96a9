/**
 * The reference half of `npm run bench:render` (BENCH_MODE=reference): renders a model with SHAZAM through
 * each camera the glTF file defines, on white at the reference's size, and sets each frame beside the
 * reference render made from that camera (the Khronos 3D Commerce reference renders `rr-<Model>-<k>.png`,
 * opaque on white). Both images go through the same rule (`look/background-mask.ts`: a pixel that is not
 * white is product), then the product regions' mean brightness and RGB and the silhouettes' IoU are
 * compared; a contact sheet shows SHAZAM above the reference.
 */
import sharp from 'sharp';
import type { GpuContext } from '../render-job/gpu/create-gpu-context.ts';
import { backgroundMask, maskDifference, maskIoU } from '../render-job/look/background-mask.ts';
import {
  compareLook,
  type LookDifference,
  maskedRegionStats,
  mergeRegionStats,
  type RegionStats,
} from '../render-job/look/product-region.ts';
import { renderCameraViews } from '../render-job/render-camera-views.ts';

/** One reference render and the camera of the file it was taken from. */
export interface ReferenceRender {
  camera: string;
  /** Path of the PNG. */
  path: string;
}

/** Options of {@link compareWithReferences}. */
export interface ReferenceOptions {
  gpu: GpuContext;
  /** The model: its bytes and local path. */
  model: { name: string; bytes: Uint8Array; path: string };
  references: ReferenceRender[];
  /** Where the contact sheet goes (WebP), or undefined for none. */
  sheetPath?: string | undefined;
}

/** One camera's comparison. */
export interface ReferenceRow {
  camera: string;
  resolution: number;
  ours: RegionStats;
  reference: RegionStats;
  difference: LookDifference;
  /** Intersection over union of the two product silhouettes. */
  silhouetteIoU: number;
  /** Pixels only SHAZAM's silhouette covers, and only the reference's. */
  onlyOurs: number;
  onlyReference: number;
}

/** Renders the model from each reference's camera and compares; the last row is every camera together. */
export async function compareWithReferences(options: ReferenceOptions): Promise<ReferenceRow[]> {
  const references = await Promise.all(
    options.references.map(async (reference) => {
      const { data, info } = await sharp(reference.path)
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.width !== info.height) {
        throw new Error(`${reference.path} is ${info.width}×${info.height}: SHAZAM renders square frames`);
      }
      return {
        ...reference,
        rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        size: info.width,
      };
    }),
  );
  const rows: ReferenceRow[] = [];
  const sheet: Array<{ camera: string; ours: Uint8Array; reference: Uint8Array; size: number }> = [];
  for (const reference of references) {
    const [frame] = await renderCameraViews(
      { bytes: options.model.bytes, uri: options.model.path, path: options.model.path },
      { gpu: options.gpu, resolution: reference.size, background: '#ffffff', cameras: [reference.camera] },
    );
    if (!frame) throw new Error(`no frame for ${reference.camera}`);
    const ourMask = backgroundMask(frame.rgba);
    const theirMask = backgroundMask(reference.rgba);
    const ours = maskedRegionStats(frame.rgba, ourMask);
    const theirs = maskedRegionStats(reference.rgba, theirMask);
    rows.push({
      camera: reference.camera,
      resolution: reference.size,
      ours,
      reference: theirs,
      difference: compareLook(ours, theirs),
      silhouetteIoU: maskIoU(ourMask, theirMask),
      ...renameDifference(maskDifference(ourMask, theirMask)),
    });
    sheet.push({
      camera: reference.camera,
      ours: frame.rgba,
      reference: reference.rgba,
      size: reference.size,
    });
  }
  if (rows.length > 1) {
    const ours = mergeRegionStats(rows.map((row) => row.ours));
    const theirs = mergeRegionStats(rows.map((row) => row.reference));
    const pixels = rows.reduce((sum, row) => sum + row.resolution ** 2, 0);
    rows.push({
      camera: 'all',
      resolution: 0,
      ours,
      reference: theirs,
      difference: compareLook(ours, theirs),
      // Weighted by frame area, as if the frames were one image.
      silhouetteIoU: rows.reduce((sum, row) => sum + row.silhouetteIoU * row.resolution ** 2, 0) / pixels,
      onlyOurs: rows.reduce((sum, row) => sum + row.onlyOurs, 0),
      onlyReference: rows.reduce((sum, row) => sum + row.onlyReference, 0),
    });
  }
  if (options.sheetPath) await writeSheet(options.sheetPath, options.model.name, sheet);
  return rows;
}

function renameDifference(difference: { onlyA: number; onlyB: number }) {
  return { onlyOurs: difference.onlyA, onlyReference: difference.onlyB };
}

const TILE = 320;
const HEADER = 28;

/** One column per camera: SHAZAM on top, the reference below, labelled. */
async function writeSheet(
  path: string,
  model: string,
  columns: Array<{ camera: string; ours: Uint8Array; reference: Uint8Array; size: number }>,
): Promise<void> {
  const width = columns.length * TILE;
  const height = HEADER * 2 + TILE * 2;
  const text = (x: number, y: number, value: string) =>
    `<text x="${x}" y="${y}" font-family="sans-serif" font-size="14" fill="#222">${value}</text>`;
  const labels = columns.flatMap((column, i) => [
    text(i * TILE + 8, 19, `SHAZAM ${model} ${column.camera}`),
    text(i * TILE + 8, HEADER + TILE + 19, `3D Commerce reference ${column.camera}`),
  ]);
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${labels.join('')}</svg>`,
  );
  const tile = (rgba: Uint8Array, size: number) =>
    sharp(rgba, { raw: { width: size, height: size, channels: 4 } })
      .resize(TILE, TILE)
      .png()
      .toBuffer();
  const tiles = await Promise.all(
    columns.flatMap((column, i) => [
      tile(column.ours, column.size).then((input) => ({ input, left: i * TILE, top: HEADER })),
      tile(column.reference, column.size).then((input) => ({
        input,
        left: i * TILE,
        top: HEADER * 2 + TILE,
      })),
    ]),
  );
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([...tiles, { input: svg, left: 0, top: 0 }])
    .webp({ quality: 88 })
    .toFile(path);
}
