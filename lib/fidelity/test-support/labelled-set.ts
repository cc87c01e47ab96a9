/**
 * The labelled set the fidelity thresholds are calibrated on (`npm run bench:fidelity`) and tested with:
 * fixture models' own reference images against their rendered turntables (true pairs), and false pairs made
 * from them — another product's turntable, the reference recoloured (hue turned 120°), mirrored, and
 * stretched to wrong proportions (one axis 1.3×).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { frameTurntable, type TurntableCamera } from '../../../render-job/camera/frame-turntable.ts';
import { turntableMatrices } from '../../../render-job/camera/turntable-matrices.ts';
import { createStudioEnvironment } from '../../../render-job/environment/create-studio-environment.ts';
import type { GpuContext } from '../../../render-job/gpu/create-gpu-context.ts';
import { createRenderer } from '../../../render-job/gpu/create-renderer.ts';
import { renderFixture } from '../../../render-job/test-support/render-fixture.ts';
import { parseBackground } from '../../../render-job/turntable-settings.ts';
import { parseDescriptorSet } from '../../contracts/descriptors.ts';
import {
  type AssessOptions,
  assessReference,
  type PreparedTurntable,
  prepareTurntable,
  type ReferenceAssessment,
} from '../assess-reference.ts';
import type { RgbaImage } from '../product-view.ts';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures');

/** Each fixture product and its reference images (paths under test/fixtures). */
export const PRODUCT_REFERENCES: Record<string, string[]> = {
  Mixer: ['reference-images/Mixer-0.jpg', 'reference-images/Mixer-1.jpg', 'reference-images/Mixer-2.jpg'],
  DamagedHelmet: ['reference-images/DamagedHelmet-screenshot.jpg'],
  WaterBottle: ['reference-images/WaterBottle-screenshot.jpg'],
  Duck: ['models/Duck/screenshot/screenshot.png'],
  Box: ['models/Box/screenshot/screenshot.png'],
  BoxTextured: ['models/BoxTextured/screenshot/screenshot.png'],
};

/** The other product each product's references are shown against, for the "another product" pairs. */
export const OTHER_PRODUCT: Record<string, string> = {
  Mixer: 'Duck',
  Duck: 'WaterBottle',
  WaterBottle: 'DamagedHelmet',
  DamagedHelmet: 'Mixer',
  Box: 'BoxTextured',
  BoxTextured: 'Box',
};

/** What a case is. `true` pairs should Match; every other kind should not. */
export type CaseKind = 'true' | 'other-product' | 'recoloured' | 'mirrored' | 'stretched';

/** One labelled case and its outcome. */
export interface CaseResult {
  id: string;
  kind: CaseKind;
  product: string;
  turntable: string;
  reference: string;
  assessment: ReferenceAssessment;
}

/** How the turntables of the set are rendered (the CPU path renders these in seconds). */
export const SET_RENDER = { frames: 24, resolution: 256, background: '#ffffff' } as const;

async function decode(input: Buffer | Sharp): Promise<RgbaImage> {
  const pipeline = Buffer.isBuffer(input) ? sharp(input) : input;
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/** The reference image and its false variants, decoded. */
async function referenceVariants(
  path: string,
): Promise<Record<Exclude<CaseKind, 'other-product'>, RgbaImage>> {
  const bytes = await readFile(join(FIXTURES, path));
  const { width = 1, height = 1 } = await sharp(bytes).metadata();
  return {
    true: await decode(bytes),
    recoloured: await decode(sharp(bytes).modulate({ hue: 120 })),
    mirrored: await decode(sharp(bytes).flop()),
    stretched: await decode(sharp(bytes).resize(Math.round(width * 1.3), height, { fit: 'fill' })),
  };
}

/** A rendered fixture turntable, prepared for assessment, with a renderer for in-between angles. */
export interface SetTurntable {
  prepared: PreparedTurntable;
  renderAt: NonNullable<AssessOptions['renderAt']>;
  close(): Promise<void>;
}

/** Renders fixture `name` the way the set does and prepares it; `close()` frees the renderer and files. */
export async function renderSetTurntable(name: string, gpu: GpuContext): Promise<SetTurntable> {
  const rendered = await renderFixture(name, gpu, { ...SET_RENDER, formats: ['png'] });
  const descriptors = parseDescriptorSet(
    JSON.parse(await readFile(join(rendered.directory, 'descriptors.json'), 'utf8')),
  );
  const size = SET_RENDER.resolution;
  const prepared = prepareTurntable(
    rendered.manifest.frames.map((frame, k) => ({
      index: frame.index,
      angleDeg: frame.angleDeg,
      image: { data: rendered.frames[k]!, width: size, height: size },
      descriptor: descriptors.frames.find((entry) => entry.index === frame.index)?.vector,
    })),
  );
  const renderer = await createRenderer(gpu, rendered.scene, createStudioEnvironment(), {
    resolution: size,
    background: parseBackground(SET_RENDER.background),
  });
  const turntableCamera = rendered.manifest.camera as unknown as TurntableCamera;
  const cameras = new Map<number, TurntableCamera>();
  const cameraAt = (elevationDeg: number | undefined): TurntableCamera => {
    if (elevationDeg === undefined) return turntableCamera;
    let camera = cameras.get(elevationDeg);
    if (!camera) {
      camera = frameTurntable(rendered.scene, { frames: SET_RENDER.frames, elevationDeg });
      cameras.set(elevationDeg, camera);
    }
    return camera;
  };
  return {
    prepared,
    async renderAt(angleDeg, elevationDeg) {
      const camera = cameraAt(elevationDeg);
      const data = await renderer.renderFrame({ ...turntableMatrices(camera, angleDeg), eye: camera.eye });
      return { data, width: size, height: size };
    },
    async close() {
      renderer.destroy();
      await rendered.cleanup();
    },
  };
}

/**
 * Assesses every case of the set for the given products (all by default): each reference as it is, and
 * recoloured, mirrored and stretched against its own product's turntable, and as it is against
 * {@link OTHER_PRODUCT}'s. Close-up references get only the true and recoloured cases (mirroring or
 * stretching a detail shot says nothing about the model).
 */
export async function evaluateLabelledSet(
  gpu: GpuContext,
  options: { products?: string[]; kinds?: CaseKind[]; refine?: boolean } = {},
): Promise<CaseResult[]> {
  const products = options.products ?? Object.keys(PRODUCT_REFERENCES);
  const kinds = new Set<CaseKind>(
    options.kinds ?? ['true', 'other-product', 'recoloured', 'mirrored', 'stretched'],
  );
  const needed = new Set(products);
  if (kinds.has('other-product')) for (const product of products) needed.add(OTHER_PRODUCT[product]!);
  const turntables = new Map<string, SetTurntable>();
  try {
    for (const name of needed) turntables.set(name, await renderSetTurntable(name, gpu));
    const results: CaseResult[] = [];
    const assess = async (
      kind: CaseKind,
      product: string,
      turntable: string,
      reference: string,
      image: RgbaImage,
    ) => {
      if (!kinds.has(kind)) return;
      const set = turntables.get(turntable)!;
      const assessment = await assessReference(
        image,
        set.prepared,
        options.refine ? { renderAt: set.renderAt } : {},
      );
      results.push({
        id: `${kind}:${reference}@${turntable}`,
        kind,
        product,
        turntable,
        reference,
        assessment,
      });
    };
    for (const product of products) {
      for (const reference of PRODUCT_REFERENCES[product] ?? []) {
        const variants = await referenceVariants(reference);
        const name = reference.split('/').pop()!;
        await assess('true', product, product, name, variants.true);
        const closeUp = results.at(-1)?.assessment.closeUp ?? false;
        await assess('recoloured', product, product, name, variants.recoloured);
        if (closeUp) continue;
        await assess('mirrored', product, product, name, variants.mirrored);
        await assess('stretched', product, product, name, variants.stretched);
        await assess('other-product', product, OTHER_PRODUCT[product]!, name, variants.true);
      }
    }
    return results;
  } finally {
    for (const set of turntables.values()) await set.close();
  }
}
