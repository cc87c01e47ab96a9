/**
 * Steps of the pipeline as a test drives them: wait for the operator's child, play the part of the Job or
 * of QA, wait for the submission's phase.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { LABELS, labelValue } from '../../controllers/names.ts';
import {
  type AssetSubmission,
  type Job,
  type QAReview,
  RESOURCES,
  type RenderJob,
} from '../../controllers/resources.ts';
import { reader, type TestBed, waitFor } from './fixture.ts';
import { finishJob, writeRenderOutputs, writeValidationOutputs } from './job-completion.ts';

/** Drives one submission of `bed` through the pipeline. */
export function flow(bed: TestBed, name: string) {
  const read = reader(bed);
  const { kube, namespace, s3 } = bed;
  const component = async (value: string, revision: number) =>
    (await read.jobsOf(name)).filter(
      (job) =>
        job.metadata?.labels?.[LABELS.component] === value &&
        job.metadata.labels[LABELS.revision] === String(revision),
    );
  return {
    async create(submission: AssetSubmission): Promise<void> {
      await kube.create(RESOURCES.assetSubmission, namespace, submission as unknown as KubernetesObject);
    },
    /** Raises the submission to `revision` the way a git commit does (spec change). */
    async bumpRevision(revision: number, sha256: string, asin: string): Promise<void> {
      await kube.patch(
        RESOURCES.assetSubmission,
        namespace,
        name,
        {
          spec: {
            revision,
            delivery: { uri: `s3://${bed.incomingBucket}/incoming/${asin}/r${revision}.zip`, sha256 },
          },
        },
        'merge',
      );
    },
    validationJob: (revision = 1) =>
      waitFor(
        `the validation Job of ${name} r${revision}`,
        async () => (await component('validation', revision))[0] as Job | undefined,
      ),
    async completeValidation(verdict: 'Passed' | 'Failed', revision = 1): Promise<Job> {
      const job = await this.validationJob(revision);
      await writeValidationOutputs(s3, job, verdict);
      await finishJob(kube, job, 'Succeeded');
      return job;
    },
    review: (revision = 1) =>
      waitFor(
        `the QAReview of ${name} r${revision}`,
        async () =>
          (await read.reviews()).find(
            (r) =>
              r.spec.submissionRef.name === name &&
              r.metadata?.labels?.[LABELS.revision] === String(revision),
          ) as QAReview | undefined,
      ),
    async decide(decision: 'Approved' | 'Rejected', revision = 1): Promise<void> {
      const review = await this.review(revision);
      const patch =
        decision === 'Approved'
          ? { spec: { decision, reviewer: 'qa-lee' } }
          : {
              spec: {
                decision,
                reviewer: 'qa-lee',
                comments: 'The handle is mirrored.',
                findings: [{ area: 'geometry', message: 'mirrored handle' }],
              },
            };
      await kube.patch(RESOURCES.qaReview, namespace, review.metadata.name, patch, 'merge');
    },
    renderJob: (revision = 1) =>
      waitFor(
        `the RenderJob of ${name} r${revision}`,
        async () =>
          (await read.renderJobs()).find(
            (r) =>
              r.metadata?.labels?.[LABELS.submission] === labelValue(name) &&
              r.metadata.labels[LABELS.revision] === String(revision),
          ) as RenderJob | undefined,
      ),
    async renderJobJob(revision = 1): Promise<Job> {
      const renderJob = await this.renderJob(revision);
      return waitFor(
        `the render Job of ${renderJob.metadata.name}`,
        async () =>
          (await read.jobs(`${LABELS.renderJob}=${labelValue(renderJob.metadata.name)}`))[0] as
            | Job
            | undefined,
      );
    },
    async completeRender(revision = 1): Promise<Job> {
      const job = await this.renderJobJob(revision);
      await writeRenderOutputs(s3, job);
      await finishJob(kube, job, 'Succeeded');
      return job;
    },
    phase: (phase: string, timeoutMs?: number) =>
      waitFor(
        `${name} to reach ${phase}`,
        async () => {
          const submission = await read.submission(name);
          return submission.status?.phase === phase &&
            submission.status.observedGeneration === submission.metadata.generation
            ? (submission as AssetSubmission)
            : undefined;
        },
        timeoutMs,
      ),
  };
}
