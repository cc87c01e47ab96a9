/**
 * Pure builders of the custom-resource children of a submission: the RenderJob of its candidate and the
 * QAReview the operator opens for QA once that turntable is rendered.
 */
import { versionKeys } from '../../lib/storage/layout.ts';
import type { ControllerConfig } from '../context.ts';
import { controllerReference, qaReviewName, renderJobName, submissionChildLabels } from '../names.ts';
import { API_VERSION, type AssetSubmission, type QAReview, type RenderJob } from '../resources.ts';

/**
 * The QAReview opened for a submission's current revision (decision Pending), after its candidate turntable
 * rendered; the QAReview controller records in its status which render it reviews.
 */
export function buildQAReview(submission: AssetSubmission): QAReview {
  return {
    apiVersion: API_VERSION,
    kind: 'QAReview',
    metadata: {
      name: qaReviewName(submission),
      namespace: submission.metadata.namespace,
      labels: submissionChildLabels(submission, 'qa'),
      ownerReferences: [controllerReference(submission)],
    },
    spec: { submissionRef: { name: submission.metadata.name }, decision: 'Pending' },
  };
}

/**
 * The RenderJob of a submission's candidate (its validated revision, before QA): renders
 * `versions/<rev>/model.glb` into `versions/<rev>/renders/` with the submission's overrides, scoring the
 * version's reference photos against the frames (QA evidence), so the renders live and die with the version (published with it, deleted with it when rejected); on GPU nodes unless
 * software rendering is allowed by the configuration.
 */
export function buildRenderJob(submission: AssetSubmission, config: ControllerConfig): RenderJob {
  const keys = versionKeys(submission.spec.asin, submission.spec.revision);
  const bucket = config.s3.assetsBucket;
  const overrides = submission.spec.render ?? {};
  const spec: RenderJob['spec'] = {
    source: { uri: `s3://${bucket}/${keys.model}` },
    output: { uri: `s3://${bucket}/${keys.rendersPrefix}` },
    references: { uri: `s3://${bucket}/${keys.referencesPrefix}` },
    formats: ['webp'],
    gpu: {
      required: !config.jobs.allowSoftwareRender,
      resourceName: config.gpu.resourceName,
      count: Math.max(1, config.gpu.count),
    },
  };
  if (overrides.frames !== undefined) spec.frames = overrides.frames;
  if (overrides.resolution !== undefined) spec.resolution = overrides.resolution;
  if (overrides.elevation !== undefined) spec.elevation = overrides.elevation;
  if (overrides.background !== undefined) spec.background = overrides.background;
  if (overrides.preset !== undefined) spec.preset = overrides.preset;
  return {
    apiVersion: API_VERSION,
    kind: 'RenderJob',
    metadata: {
      name: renderJobName(submission),
      namespace: submission.metadata.namespace,
      labels: submissionChildLabels(submission, 'render'),
      ownerReferences: [controllerReference(submission)],
    },
    spec,
  };
}
