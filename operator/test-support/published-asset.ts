/**
 * One published asset as the flow leaves it (submission, RenderJob and QAReview with their statuses), for
 * the at-rest benchmark and the tests that measure what a catalogue of them costs the operator's cache.
 */
import { LABELS, SUBMISSION_FINALIZER } from '../../controllers/names.ts';
import type { AssetSubmission, QAReview, RenderJob } from '../../controllers/resources.ts';

/** The namespace the at-rest catalogue lives in. */
export const NAMESPACE = 'catalogue';
/** The bucket its versions are stored in. */
export const BUCKET = 'bench-assets';
const CDN = 'https://cdn.example.com';

/** The ASIN of asset `index`: ten characters, as Amazon's are. */
export function asinOf(index: number): string {
  return `B0${index.toString(36).toUpperCase().padStart(8, '0')}`;
}

/**
 * Asset `index` as the flow leaves it once Published: the objects to create and the status each gets.
 * Times are fixed (a catalogue published at once); the shape and lengths are the flow's.
 */
export function publishedAsset(index: number) {
  const asin = asinOf(index);
  const name = `asset-${asin.toLowerCase()}`;
  const child = `${name}-r1`;
  const sha256 = index.toString(16).padStart(64, '0');
  const version = `assets/${asin}/versions/1/`;
  const renders = `s3://${BUCKET}/${version}renders/`;
  const at = '2026-12-05T12:00:00.000Z';
  const condition = (type: string, status: 'True' | 'False', reason: string, message: string, gen = 1) => ({
    type,
    status,
    reason,
    message,
    observedGeneration: gen,
    lastTransitionTime: at,
  });
  const labels = (component: string) => ({
    [LABELS.name]: 'shazam',
    [LABELS.component]: component,
    [LABELS.managedBy]: 'shazam-operator',
    [LABELS.asin]: asin,
    [LABELS.revision]: '1',
    [LABELS.submission]: name,
  });
  const passed = `Revision 1 (${sha256.slice(0, 12)}) passed: 0 error(s), 0 warning(s).`;
  const live = `Version 1 of ${asin} is live.`;
  const submission: AssetSubmission = {
    apiVersion: 'pipeline.shazam.dev/v1alpha1',
    kind: 'AssetSubmission',
    metadata: { name, namespace: NAMESPACE, finalizers: [SUBMISSION_FINALIZER] },
    spec: {
      asin,
      revision: 1,
      artist: 'mira.okafor@studio.example',
      product: { title: `Oak chair ${index}`, brand: 'Oak & Co', tags: ['chair'] },
      delivery: { uri: `s3://bench-incoming/incoming/${asin}/r1.zip`, sha256 },
      stages: ['cleanup', 'uv', 'texturing'],
    },
  };
  const submissionStatus = {
    children: { qaReview: child, renderJob: child, validationJob: `${child}-validate-${sha256.slice(0, 8)}` },
    conditions: [
      condition('Validated', 'True', 'ValidationPassed', passed),
      condition('Rendered', 'True', 'Rendered', `Rendered 36 frames of revision 1 in RenderJob ${child}.`),
      condition('QAApproved', 'True', 'Approved', `Approved by qa-lee in QAReview ${child}.`),
      condition('Promoted', 'True', 'Promoted', `assets/${asin}/published.json points at version 1.`),
      condition('Ready', 'True', 'Published', live),
      condition('Failed', 'False', 'ValidationPassed', passed),
    ],
    liveVersion: 1,
    message: live,
    observedGeneration: 1,
    phase: 'Published',
    published: {
      bucket: BUCKET,
      descriptorsUri: `${renders}descriptors.json`,
      glbUrl: `${CDN}/${version}model.glb`,
      posterUrl: `${CDN}/${version}renders/poster.webp`,
      prefix: version,
      publishedAt: at,
      spin: { frameCount: 36, urlTemplate: `${CDN}/${version}renders/360/{frame}.webp` },
      version: 1,
      webGlbUrl: `${CDN}/${version}model.web.glb`,
    },
    validation: {
      completedAt: at,
      errors: 0,
      findings: [],
      reportUri: `s3://${BUCKET}/${version}validation.json`,
      stages: { cleanup: 'Passed', texturing: 'Passed', uv: 'Passed' },
      verdict: 'Passed',
      warnings: 0,
    },
    version: 1,
  };
  const owner = (uid: string) => [
    {
      apiVersion: 'pipeline.shazam.dev/v1alpha1',
      kind: 'AssetSubmission',
      name,
      uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  const rendered = 'Rendered 36 frames on NVIDIA L4';
  const outputs = {
    descriptorsUri: `${renders}descriptors.json`,
    fidelityUri: `${renders}fidelity.json`,
    framesPrefix: `${renders}360/`,
    manifestUri: `${renders}manifest.json`,
    posterUri: `${renders}poster.webp`,
  };
  const renderJob = (uid: string): RenderJob => ({
    apiVersion: 'pipeline.shazam.dev/v1alpha1',
    kind: 'RenderJob',
    metadata: { name: child, namespace: NAMESPACE, labels: labels('render'), ownerReferences: owner(uid) },
    spec: {
      formats: ['webp'],
      gpu: { count: 1, required: true, resourceName: 'nvidia.com/gpu' },
      output: { uri: renders },
      references: { uri: `s3://${BUCKET}/${version}references/` },
      source: { uri: `s3://${BUCKET}/${version}model.glb` },
    },
  });
  const renderJobStatus = {
    conditions: [
      condition('Complete', 'True', 'Succeeded', rendered),
      condition('Failed', 'False', 'Succeeded', rendered),
    ],
    device: { backend: 'vulkan', name: 'NVIDIA L4', software: false },
    framesRendered: 36,
    jobName: `${child}-render-1`,
    message: rendered,
    observedGeneration: 1,
    outputs,
    phase: 'Succeeded',
    timings: { completedAt: at, framesPerSecond: 2, renderSeconds: 18, startedAt: at },
  };
  const review = (uid: string): QAReview => ({
    apiVersion: 'pipeline.shazam.dev/v1alpha1',
    kind: 'QAReview',
    metadata: { name: child, namespace: NAMESPACE, labels: labels('qa'), ownerReferences: owner(uid) },
    spec: { submissionRef: { name }, decision: 'Approved', reviewer: 'qa-lee' },
  });
  const reviewStatus = {
    conditions: [
      condition('Decided', 'True', 'Approved', 'Approved by qa-lee.'),
      condition('Failed', 'False', 'Approved', 'Approved by qa-lee.'),
    ],
    decidedAt: at,
    fidelity: {
      computedAt: at,
      error: `The render wrote no ${renders}fidelity.json; delete its RenderJob to render and compare again.`,
      references: [],
      renderPrefix: renders,
    },
    observedGeneration: 1,
    openedAt: at,
    phase: 'Approved',
    render: {
      fidelityUri: outputs.fidelityUri,
      format: 'webp',
      framesPrefix: outputs.framesPrefix,
      framesRendered: 36,
      manifestUri: outputs.manifestUri,
      posterUri: outputs.posterUri,
      renderJob: child,
    },
    submission: { asin, name, revision: 1 },
  };
  return { submission, submissionStatus, renderJob, renderJobStatus, review, reviewStatus };
}
