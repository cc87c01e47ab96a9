/**
 * Photo search on every background kind of a shopper's photo (solid, linear and radial gradients, vignetting,
 * textured backdrops, shadows), on the labelled set of `test-support/photo-set.ts`: every distinct product
 * under test/fixtures, rendered by the render Job's pipeline, queried with views the index never saw. The
 * bench (`npm run bench:photo-set`) runs the same set with more views per product (docs/search.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuContext, type GpuContext } from '../render-job/gpu/create-gpu-context.ts';
import {
  BACKGROUND_KINDS,
  type RenderedProduct,
  renderProduct,
  SET_PRODUCTS,
  scoreSet,
} from './test-support/photo-set.ts';

const VIEWS = 3;
/**
 * Lower bounds: overall, the targets (top-1 ≥ 0.95, top-5 ≥ 0.99); per kind, a few queries under what this
 * set measures (docs/search.md: top-1 0.986 and top-5 0.997 of 288; per kind top-1 47–48 and top-5 47–48
 * of 48).
 */
const ALL_TOP1 = 0.95;
const ALL_TOP5 = 0.99;
const PER_KIND_TOP1 = 0.9;
const PER_KIND_TOP5 = 0.97;

describe('photo search on every background kind', () => {
  let gpu: GpuContext;
  const rendered: RenderedProduct[] = [];

  beforeAll(async () => {
    gpu = await createGpuContext({ allowSoftware: true });
    for (const product of SET_PRODUCTS) rendered.push(await renderProduct(gpu, product, VIEWS));
  }, 900_000);

  afterAll(() => gpu?.destroy());

  it('finds each of 15+ products against radial gradients, vignetting, textures and shadows as on plain backdrops', async () => {
    expect(SET_PRODUCTS.length).toBeGreaterThanOrEqual(15);
    const scores = await scoreSet(rendered);
    let queries = 0;
    let top1 = 0;
    let top5 = 0;
    for (const kind of BACKGROUND_KINDS) {
      const score = scores[kind];
      console.log(
        `${kind}: top-1 ${score.top1}/${score.queries}, top-5 ${score.top5}/${score.queries}` +
          (score.misses.length ? `; ${score.misses.join('; ')}` : ''),
      );
      expect(score.queries).toBe(SET_PRODUCTS.length * VIEWS);
      queries += score.queries;
      top1 += score.top1;
      top5 += score.top5;
    }
    console.log(`all: top-1 ${top1}/${queries}, top-5 ${top5}/${queries}`);
    for (const kind of BACKGROUND_KINDS) {
      const { queries: n, top1: hits1, top5: hits5, misses } = scores[kind];
      // 48 queries per kind: a kind's failure shows even where the total holds.
      expect(hits1 / n, `${kind}: ${misses.join('; ')}`).toBeGreaterThanOrEqual(PER_KIND_TOP1);
      expect(hits5 / n, `${kind}: ${misses.join('; ')}`).toBeGreaterThanOrEqual(PER_KIND_TOP5);
    }
    expect(top1 / queries).toBeGreaterThanOrEqual(ALL_TOP1);
    expect(top5 / queries).toBeGreaterThanOrEqual(ALL_TOP5);
  }, 600_000);
});
