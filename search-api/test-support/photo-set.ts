/**
 * A labelled set of shopper-like photos for measuring photo search, reproducible from the repository alone:
 * products are the distinct models under test/fixtures (optionally with tinted variants: another colour of
 * the same shape is another product, as in a real catalogue), indexed from the renderer's own
 * descriptors.json; queries are renders at turn angles and an elevation the index never saw, composited onto
 * each background kind a shopper's photo has, and JPEG-encoded. Used by `photo-segmentation.test.ts` and by
 * `npm run bench:photo-set` (more views per product; figures in docs/search.md).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import { parseDescriptorSet } from '../../lib/contracts/descriptors.ts';
import { createGltfIO } from '../../lib/gltf/create-io.ts';
import { computeDescriptor, DESCRIPTOR_DIMS } from '../../lib/image-descriptor/compute-descriptor.ts';
import type { GpuContext } from '../../render-job/gpu/create-gpu-context.ts';
import { directorySink } from '../../render-job/output/directory-sink.ts';
import { renderTurntable } from '../../render-job/render-turntable.ts';
import { ImageIndex } from '../catalog/image-index.ts';
import { decodePhoto } from '../decode-photo.ts';

/** A product of the set: a model under test/fixtures, optionally with every material's base colour tinted. */
export interface SetProduct {
  name: string;
  /** Path of the GLB or .gltf, relative to test/fixtures. */
  model: string;
  tint?: [number, number, number];
}

const FIXTURES = join(import.meta.dirname, '../../test/fixtures');

/**
 * The distinct products of the set: every model under test/fixtures that is a product of its own (another
 * shape, or another print on the same shape as BoxTextured is to Box). BoxDraco (Box again) and the Asset
 * Auditor's default cubes (Box again, at other scales) are left out.
 */
export const SET_PRODUCTS: SetProduct[] = [
  { name: 'Box', model: 'models/Box/glTF-Binary/Box.glb' },
  { name: 'BoxTextured', model: 'models/BoxTextured/glTF-Binary/BoxTextured.glb' },
  { name: 'Duck', model: 'models/Duck/glTF-Binary/Duck.glb' },
  { name: 'DamagedHelmet', model: 'models/DamagedHelmet/glTF-Binary/DamagedHelmet.glb' },
  { name: 'WaterBottle', model: 'models/WaterBottle/glTF/WaterBottle.gltf' },
  { name: 'Mixer', model: 'models/Mixer/glTF-Binary/Mixer.glb' },
  { name: 'Fox', model: 'models/Fox/glTF/Fox.gltf' },
  { name: 'TextureTransformTest', model: 'models/TextureTransformTest/glTF/TextureTransformTest.gltf' },
  { name: 'Suzanne', model: 'gltf-asset-auditor/tests/models/blender-monkey-uv-margin.glb' },
  { name: 'CesiumMilkTruck', model: 'models/CesiumMilkTruck/glTF-Binary/CesiumMilkTruck.glb' },
  { name: 'CesiumMan', model: 'models/CesiumMan/glTF-Binary/CesiumMan.glb' },
  { name: 'RiggedFigure', model: 'models/RiggedFigure/glTF-Binary/RiggedFigure.glb' },
  { name: 'AnimatedMorphSphere', model: 'models/AnimatedMorphSphere/glTF-Binary/AnimatedMorphSphere.glb' },
  { name: 'WickerChair', model: 'models/WickerChair/glTF-Binary/WickerChair.glb' },
  { name: 'TextureSettingsTest', model: 'models/TextureSettingsTest/glTF-Binary/TextureSettingsTest.glb' },
  { name: 'NormalTangentTest', model: 'models/NormalTangentTest/glTF-Binary/NormalTangentTest.glb' },
];

/**
 * Tinted variants of some products: the same shape in another colour, a catalogue's hardest case. Added to
 * the set on request (`PHOTO_SET_TINTS=1` in the bench); not distinct products.
 */
export const TINTED_VARIANTS: SetProduct[] = [
  { name: 'Box (teal)', model: 'models/Box/glTF-Binary/Box.glb', tint: [0.1, 0.9, 0.8] },
  { name: 'Duck (blue)', model: 'models/Duck/glTF-Binary/Duck.glb', tint: [0.3, 0.5, 1] },
  {
    name: 'DamagedHelmet (red)',
    model: 'models/DamagedHelmet/glTF-Binary/DamagedHelmet.glb',
    tint: [1, 0.35, 0.3],
  },
  { name: 'Mixer (red)', model: 'models/Mixer/glTF-Binary/Mixer.glb', tint: [1, 0.3, 0.3] },
  { name: 'Fox (grey)', model: 'models/Fox/glTF/Fox.gltf', tint: [0.55, 0.55, 0.6] },
];

/** The background kinds of a shopper's photo, each reported separately. */
export const BACKGROUND_KINDS = ['solid', 'linear', 'radial', 'vignette', 'textured', 'shadow'] as const;
export type BackgroundKind = (typeof BACKGROUND_KINDS)[number];

const WIDTH = 400;
const HEIGHT = 320;
const PALETTE = ['#f2efe9', '#d9dde3', '#c9b8a6', '#e8e0d0', '#b7c4b1', '#efe6f2', '#9aa4ae', '#f7f7f2'];

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rgbOf(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

function shade([r, g, b]: [number, number, number], factor: number): string {
  const c = (v: number) =>
    Math.max(0, Math.min(255, Math.round(v * factor)))
      .toString(16)
      .padStart(2, '0');
  return `#${c(r)}${c(g)}${c(b)}`;
}

/** The backdrop of one query photo, as PNG bytes. */
async function backdrop(kind: BackgroundKind, seed: number): Promise<Buffer> {
  const next = random(seed);
  const base = PALETTE[Math.floor(next() * PALETTE.length)]!;
  const rgb = rgbOf(base);
  const svg = (body: string) =>
    sharp(
      Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">${body}</svg>`,
      ),
    )
      .png()
      .toBuffer();
  switch (kind) {
    case 'solid':
      return svg(`<rect width="100%" height="100%" fill="${base}"/>`);
    case 'linear': {
      const other = PALETTE[Math.floor(next() * PALETTE.length)]!;
      return svg(
        `<defs><linearGradient id="g" x1="0" y1="${next().toFixed(2)}" x2="1" y2="${next().toFixed(2)}"><stop offset="0" stop-color="${base}"/><stop offset="1" stop-color="${shade(rgbOf(other), 0.7)}"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/>`,
      );
    }
    case 'radial': {
      // A bright spot behind the product falling off to a darker rim: a lamp aimed at a wall.
      const cx = (0.35 + next() * 0.3).toFixed(2);
      const cy = (0.3 + next() * 0.3).toFixed(2);
      return svg(
        `<defs><radialGradient id="g" cx="${cx}" cy="${cy}" r="0.75"><stop offset="0" stop-color="${shade(rgb, 1.15)}"/><stop offset="1" stop-color="${shade(rgb, 0.45)}"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#g)"/>`,
      );
    }
    case 'vignette':
      return svg(
        `<defs><radialGradient id="v" cx="0.5" cy="0.5" r="0.72"><stop offset="0.45" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="${(0.5 + next() * 0.2).toFixed(2)}"/></radialGradient></defs><rect width="100%" height="100%" fill="${base}"/><rect width="100%" height="100%" fill="url(#v)"/>`,
      );
    case 'textured': {
      // Wood grain or linen: stripes with grain noise, in the backdrop's colour.
      const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
      const wood = next() < 0.5;
      const period = 6 + next() * 10;
      const phase = next() * 100;
      for (let y = 0; y < HEIGHT; y++) {
        for (let x = 0; x < WIDTH; x++) {
          const stripe = wood
            ? Math.sin((y + 6 * Math.sin(x / 37 + phase)) / period) * 0.08
            : (((x >> 2) + (y >> 2)) % 2) * 0.06 - 0.03;
          const factor = 1 + stripe + (next() - 0.5) * 0.12;
          const o = (y * WIDTH + x) * 3;
          pixels[o] = Math.max(0, Math.min(255, rgb[0] * factor));
          pixels[o + 1] = Math.max(0, Math.min(255, rgb[1] * factor));
          pixels[o + 2] = Math.max(0, Math.min(255, rgb[2] * factor));
        }
      }
      return sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
        .png()
        .toBuffer();
    }
    case 'shadow':
      return svg(`<rect width="100%" height="100%" fill="${base}"/>`);
  }
}

/**
 * One query photo: the product's render (transparent PNG) scaled to 65–80% of the photo's height, placed
 * off-centre on the backdrop (with a soft shadow cast down-right for `shadow`), JPEG at quality 82.
 */
export async function queryPhoto(render: Buffer, kind: BackgroundKind, seed: number): Promise<Buffer> {
  const next = random(seed * 7919 + 13);
  const side = Math.round(HEIGHT * (0.65 + next() * 0.15));
  const product = await sharp(render).resize(side, side).png().toBuffer();
  const left = Math.round((WIDTH - side) * (0.3 + next() * 0.4));
  const top = Math.round((HEIGHT - side) * (0.3 + next() * 0.4));
  const layers: OverlayOptions[] = [];
  if (kind === 'shadow') {
    const alpha = await sharp(product).extractChannel(3).toBuffer();
    const shadow = await sharp({ create: { width: side, height: side, channels: 3, background: '#000000' } })
      .joinChannel(await sharp(alpha).linear(0.5, 0).toBuffer())
      .blur(6)
      .png()
      .toBuffer();
    layers.push({
      input: shadow,
      left: Math.min(WIDTH - side, left + 14),
      top: Math.min(HEIGHT - side, top + 10),
    });
  }
  layers.push({ input: product, left, top });
  return sharp(await backdrop(kind, seed))
    .composite(layers)
    .jpeg({ quality: 82 })
    .toBuffer();
}

/** The model's bytes, tinted when asked (every material's base colour factor multiplied). */
async function productSource(product: SetProduct): Promise<{ bytes: Uint8Array; uri: string; path: string }> {
  const path = join(FIXTURES, product.model);
  if (!product.tint) return { bytes: await readFile(path), uri: path, path };
  const io = await createGltfIO();
  const document = await io.read(path);
  for (const material of document.getRoot().listMaterials()) {
    const [r, g, b, a] = material.getBaseColorFactor();
    material.setBaseColorFactor([r * product.tint[0], g * product.tint[1], b * product.tint[2], a]);
  }
  return { bytes: await io.writeBinary(document), uri: `${product.name}.glb`, path: `${product.name}.glb` };
}

/** A rendered product: its indexed descriptors and its query views (transparent PNGs at unseen angles). */
export interface RenderedProduct {
  product: SetProduct;
  frames: Array<{ index: number; vector: number[] }>;
  views: Buffer[];
}

/**
 * Renders a product with the render Job's pipeline: 36 indexed frames (256 px, 15° elevation, white, as
 * the Job describes them) and `views` query views at 25° elevation on turn angles off the indexed 10° grid.
 */
export async function renderProduct(
  gpu: GpuContext,
  product: SetProduct,
  views: number,
): Promise<RenderedProduct> {
  const source = await productSource(product);
  const directory = await mkdtemp(join(tmpdir(), 'photo-set-'));
  try {
    await renderTurntable(source, directorySink(join(directory, 'index')), {
      gpu,
      frames: 36,
      resolution: 256,
      formats: ['webp'],
      msaaSamples: 1,
    });
    const descriptors = parseDescriptorSet(
      JSON.parse(await readFile(join(directory, 'index', 'descriptors.json'), 'utf8')),
    );
    // 7° steps from 3°: never on the indexed 10° grid.
    const manifest = await renderTurntable(source, directorySink(join(directory, 'query')), {
      gpu,
      frames: 51,
      resolution: 320,
      elevationDeg: 25,
      background: 'transparent',
      formats: ['png'],
      msaaSamples: 1,
    });
    const picked = manifest.frames.filter((frame) => frame.angleDeg % 10 !== 0);
    const chosen = Array.from(
      { length: views },
      (_, k) => picked[Math.floor(((k + 0.5) * picked.length) / views)]!,
    );
    return {
      product,
      frames: descriptors.frames.map((frame) => ({ index: frame.index, vector: [...frame.vector] })),
      views: await Promise.all(chosen.map((frame) => readFile(join(directory, 'query', frame.files.png!)))),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Top-1 and top-5 counts per background kind. */
export type SetScores = Record<
  BackgroundKind,
  { queries: number; top1: number; top5: number; misses: string[] }
>;

/**
 * Indexes the rendered products and queries every view on every background kind (decoded and described
 * as the search route does).
 */
export async function scoreSet(rendered: readonly RenderedProduct[]): Promise<SetScores> {
  const index = new ImageIndex(DESCRIPTOR_DIMS);
  for (const [i, { frames }] of rendered.entries()) index.upsert(`P${i}`, frames);
  const scores = Object.fromEntries(
    BACKGROUND_KINDS.map((kind) => [kind, { queries: 0, top1: 0, top5: 0, misses: [] as string[] }]),
  ) as SetScores;
  for (const [i, { product, views }] of rendered.entries()) {
    for (const [v, view] of views.entries()) {
      for (const [k, kind] of BACKGROUND_KINDS.entries()) {
        const photo = await queryPhoto(view, kind, 1000 * i + 10 * v + k);
        const decoded = await decodePhoto(photo, 40_000_000);
        const hits = index.search(computeDescriptor(decoded.rgba, decoded.width, decoded.height), 5);
        const rank = hits.findIndex((hit) => hit.asin === `P${i}`);
        const score = scores[kind];
        score.queries++;
        if (rank === 0) score.top1++;
        if (rank >= 0) score.top5++;
        if (rank !== 0) {
          const winner = rendered[Number(hits[0]?.asin.slice(1))]?.product.name;
          score.misses.push(`${product.name} view ${v} (rank ${rank < 0 ? '>5' : rank + 1}, top: ${winner})`);
        }
      }
    }
  }
  return scores;
}
