/**
 * `npm run bench:photo-set`: photo search on the labelled set of `search-api/test-support/photo-set.ts`
 * (the 16 distinct products under test/fixtures; renders at unseen angles composited onto solid,
 * linear-gradient, radial-gradient, vignetted, textured and shadowed backdrops), top-1 and top-5 per
 * background kind. Rendered with the render Job's pipeline on the CPU (software adapter) when no GPU is
 * present. Options: PHOTO_SET_VIEWS (query views per product, 8); PHOTO_SET_TINTS=1 adds the tinted
 * variants (same shape, another colour) to the catalogue and the queries.
 */
import { createGpuContext } from '../render-job/gpu/create-gpu-context.ts';
import {
  BACKGROUND_KINDS,
  renderProduct,
  SET_PRODUCTS,
  scoreSet,
  TINTED_VARIANTS,
} from '../search-api/test-support/photo-set.ts';

const VIEWS = Number(process.env.PHOTO_SET_VIEWS ?? 8);
const PRODUCTS = process.env.PHOTO_SET_TINTS === '1' ? [...SET_PRODUCTS, ...TINTED_VARIANTS] : SET_PRODUCTS;
const started = performance.now();
const gpu = await createGpuContext({ allowSoftware: true });
const rendered = [];
for (const product of PRODUCTS) rendered.push(await renderProduct(gpu, product, VIEWS));
gpu.destroy();
console.log(`rendered ${rendered.length} products in ${((performance.now() - started) / 1000).toFixed(0)} s`);
const scores = await scoreSet(rendered);
let queries = 0;
let top1 = 0;
let top5 = 0;
console.log('| background | queries | top-1 | top-5 |\n| --- | --- | --- | --- |');
for (const kind of BACKGROUND_KINDS) {
  const score = scores[kind];
  queries += score.queries;
  top1 += score.top1;
  top5 += score.top5;
  console.log(
    `| ${kind} | ${score.queries} | ${(score.top1 / score.queries).toFixed(3)} (${score.top1}) | ${(score.top5 / score.queries).toFixed(3)} (${score.top5}) |`,
  );
}
console.log(
  `| all | ${queries} | ${(top1 / queries).toFixed(3)} (${top1}) | ${(top5 / queries).toFixed(3)} (${top5}) |`,
);
for (const kind of BACKGROUND_KINDS)
  for (const miss of scores[kind].misses) console.log(`miss (${kind}): ${miss}`);
