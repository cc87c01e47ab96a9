/**
 * `npm run bench:fidelity`: the reference-photo fidelity check on its labelled set
 * (lib/fidelity/test-support/labelled-set.ts). Renders the fixture turntables on whatever adapter Dawn
 * finds (the CPU's software rasteriser where there is no GPU), assesses every case, and prints the
 * per-case scores, the score ranges per case kind (what the thresholds were calibrated on), and the
 * precision and recall of flagging a false pair (a verdict other than Match) and of Mismatch alone.
 *
 * `-- --frames-only` assesses against the turntable frames alone, without rendering in-between views
 * (what a reader of a finished render can do).
 */

import {
  type CaseKind,
  type CaseResult,
  evaluateLabelledSet,
  SET_RENDER,
} from '../lib/fidelity/test-support/labelled-set.ts';
import type { FidelityScores } from '../lib/fidelity/verdict.ts';
import { FIDELITY_THRESHOLDS } from '../lib/fidelity/verdict.ts';
import { createGpuContext } from '../render-job/gpu/create-gpu-context.ts';

const refine = !process.argv.includes('--frames-only');
const gpu = await createGpuContext({ allowSoftware: true });
const started = performance.now();
let results: CaseResult[];
try {
  results = await evaluateLabelledSet(gpu, { refine });
} finally {
  gpu.destroy();
}
const seconds = (performance.now() - started) / 1000;

const show = (value: number | undefined, digits: number) =>
  value === undefined ? '–' : value.toFixed(digits);
console.log(
  `fidelity labelled set: ${results.length} cases, turntables ${SET_RENDER.frames} frames at ${SET_RENDER.resolution} px on ${gpu.summary.device || gpu.summary.backend}${gpu.summary.software ? ' (software)' : ''}, ${refine ? 'angle and elevation refined by rendering' : 'frames only'}, ${seconds.toFixed(1)} s\n`,
);
console.log(
  '| case | reference | turntable | best frame (angle°, elev.°) | IoU | ΔE00 | SSIM | descriptor | verdict |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const result of results) {
  const { assessment: a } = result;
  const view = `${a.bestFrame} (${a.angleDeg}${a.elevationDeg === undefined ? '' : `, ${a.elevationDeg}`})`;
  console.log(
    `| ${result.kind}${a.closeUp ? ' (close-up)' : ''} | ${result.reference} | ${result.turntable} | ${view} | ${show(a.scores.silhouetteIoU, 3)} | ${show(a.scores.colourDeltaE, 1)} | ${show(a.scores.structuralSimilarity, 3)} | ${show(a.scores.descriptorSimilarity, 3)} | ${a.verdict} |`,
  );
}

const kinds: CaseKind[] = ['true', 'other-product', 'recoloured', 'mirrored', 'stretched'];
const keys: Array<[keyof FidelityScores, string]> = [
  ['silhouetteIoU', 'IoU'],
  ['colourDeltaE', 'ΔE00'],
  ['structuralSimilarity', 'SSIM'],
  ['descriptorSimilarity', 'descriptor'],
];
console.log('\nScore ranges (min–max) per kind, full views only (close-ups have no IoU/SSIM):\n');
console.log(`| kind | cases | ${keys.map(([, label]) => label).join(' | ')} | Match / Check / Mismatch |`);
console.log(`| --- | --- | ${keys.map(() => '---').join(' | ')} | --- |`);
for (const kind of kinds) {
  const of = results.filter((r) => r.kind === kind);
  const full = of.filter((r) => !r.assessment.closeUp);
  const range = (key: keyof FidelityScores) => {
    const values = full.map((r) => r.assessment.scores[key]).filter((v): v is number => v !== undefined);
    return values.length === 0 ? '–' : `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  };
  const count = (verdict: string) => of.filter((r) => r.assessment.verdict === verdict).length;
  console.log(
    `| ${kind} | ${of.length} (${full.length} full) | ${keys.map(([key]) => range(key)).join(' | ')} | ${count('Match')} / ${count('Check')} / ${count('Mismatch')} |`,
  );
}

function rates(label: string, cases: CaseResult[], flagged: (r: CaseResult) => boolean): void {
  const positives = cases.filter((r) => r.kind !== 'true');
  const hits = positives.filter(flagged).length;
  const flags = cases.filter(flagged).length;
  const precision = flags === 0 ? 1 : hits / flags;
  const recall = positives.length === 0 ? 1 : hits / positives.length;
  console.log(
    `| ${label} | ${hits} / ${flags} = ${precision.toFixed(2)} | ${hits} / ${positives.length} = ${recall.toFixed(2)} |`,
  );
}
console.log('\nA false pair is the positive class. Precision and recall:\n');
console.log('| flag | precision | recall |');
console.log('| --- | --- | --- |');
const notMatch = (r: CaseResult) => r.assessment.verdict !== 'Match';
const mismatch = (r: CaseResult) => r.assessment.verdict === 'Mismatch';
rates('Check or Mismatch, all cases', results, notMatch);
rates('Mismatch, all cases', results, mismatch);
const fullViews = results.filter((r) => !r.assessment.closeUp);
rates('Check or Mismatch, full views', fullViews, notMatch);
rates(
  'Check or Mismatch, full views, without mirrored',
  fullViews.filter((r) => r.kind !== 'mirrored'),
  notMatch,
);
console.log(`\nthresholds: ${JSON.stringify(FIDELITY_THRESHOLDS)}`);
