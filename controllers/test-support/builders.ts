/**
 * Fluent fixture builders for controller tests: `assetSubmission().withRevision(2).deleting()`.
 */
import type { ValidationResult } from '../../lib/contracts/validation-result.ts';
import { buildQAReview } from '../asset-submission/children.ts';
import type { ControllerConfig } from '../context.ts';
import { SUBMISSION_FINALIZER } from '../names.ts';
import type { AssetSubmission, Job, QAReview, RenderJob } from '../resources.ts';

/** The configuration tests use: defaults plus a local S3 endpoint. */
export function testConfig(): ControllerConfig {
  const template = (command: string[]) => ({
    image: 'ghcr.io/shazam-dev/shazam:test',
    imagePullPolicy: 'IfNotPresent' as const,
    command,
    serviceAccountName: 'shazam-jobs',
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    activeDeadlineSeconds: 900,
    backoffLimit: 2,
    ttlSecondsAfterFinished: 3600,
    scratchSizeLimit: '2Gi',
    runAsUser: 65532,
  });
  return {
    s3: {
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      incomingBucket: 'incoming-test',
      assetsBucket: 'assets-test',
      publicBaseUrl: 'https://cdn.example.test',
    },
    jobs: {
      validation: template(['shazam', 'validate-job']),
      render: template(['shazam', 'render-job']),
      allowSoftwareRender: false,
    },
    delivery: { waitSeconds: 600, recheckSeconds: 5, maxRecheckSeconds: 60 },
    gpu: {
      resourceName: 'nvidia.com/gpu',
      count: 1,
      nodeSelector: { 'shazam.dev/gpu': 'true' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    },
    retention: { versionsToKeep: 2 },
  };
}

/** A builder of AssetSubmissions. */
export class SubmissionBuilder {
  readonly object: AssetSubmission;

  constructor(name = 'chair') {
    this.object = {
      apiVersion: 'pipeline.shazam.dev/v1alpha1',
      kind: 'AssetSubmission',
      metadata: {
        name,
        namespace: 'studio',
        uid: `uid-${name}`,
        generation: 1,
        resourceVersion: '10',
        creationTimestamp: '2026-01-01T00:00:00Z',
        finalizers: [SUBMISSION_FINALIZER],
      },
      spec: {
        asin: 'B0CHAIR001',
        revision: 1,
        artist: 'mira',
        product: { title: 'Chair', brand: 'Oak & Co' },
        delivery: { uri: 's3://incoming-test/incoming/B0CHAIR001/r1.zip', sha256: 'a'.repeat(64) },
        stages: ['cleanup', 'uv', 'texturing'],
      },
    };
  }

  withRevision(revision: number): this {
    this.object.spec.revision = revision;
    this.object.metadata.generation = revision;
    return this;
  }

  withoutFinalizer(): this {
    this.object.metadata.finalizers = [];
    return this;
  }

  deleting(): this {
    this.object.metadata.deletionTimestamp = '2026-01-02T00:00:00Z';
    return this;
  }

  withStatus(status: NonNullable<AssetSubmission['status']>): this {
    this.object.status = status;
    return this;
  }

  build(): AssetSubmission {
    return structuredClone(this.object);
  }
}

/** Starts a submission builder. */
export function assetSubmission(name?: string): SubmissionBuilder {
  return new SubmissionBuilder(name);
}

/** A Job in `state`. */
export function job(name: string, state: 'Running' | 'Succeeded' | 'Failed'): Job {
  const conditions =
    state === 'Running'
      ? []
      : [
          {
            type: state === 'Succeeded' ? 'Complete' : 'Failed',
            status: 'True',
            message: 'BackoffLimitExceeded',
          },
        ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'studio' },
    spec: {},
    status: { conditions },
  };
}

/** The operator's own QAReview for `submission` with `decision`. */
export function review(submission: AssetSubmission, decision: 'Pending' | 'Approved' | 'Rejected'): QAReview {
  const r = buildQAReview(submission);
  r.metadata.uid = 'uid-review';
  r.spec.decision = decision;
  if (decision === 'Approved') r.spec.reviewer = 'qa-lee';
  if (decision === 'Rejected') {
    r.spec.comments = 'handle is mirrored';
    r.spec.findings = [{ area: 'geometry', message: 'mirrored handle' }];
  }
  return r;
}

/** A compact validation result for `submission`. */
export function validationResult(
  submission: AssetSubmission,
  verdict: 'Passed' | 'Failed',
): ValidationResult {
  const { asin, revision, delivery } = submission.spec;
  const prefix = `assets/${asin}/versions/${revision}/`;
  return {
    apiVersion: 'shazam.dev/validation-result/v1',
    asin,
    revision,
    sha256: delivery.sha256,
    verdict,
    stages: { cleanup: 'Passed', uv: verdict, texturing: 'Passed' },
    errors: verdict === 'Failed' ? 1 : 0,
    warnings: 1,
    findings:
      verdict === 'Failed'
        ? [
            {
              code: 'UV_MISSING_TEXCOORD',
              severity: 'error',
              stage: 'uv',
              message: 'no TEXCOORD_0',
              location: 'model/x.glb#/meshes/0',
            },
          ]
        : [{ code: 'NON_POWER_OF_TWO', severity: 'warning', stage: 'gltf', message: 'texture 1000 px' }],
    summary: verdict,
    profiles: [],
    ...(verdict === 'Passed'
      ? {
          reportUri: `s3://assets-test/${prefix}validation.json`,
          version: {
            bucket: 'assets-test',
            prefix,
            model: `${prefix}model.glb`,
            webModel: `${prefix}model.web.glb`,
            modelBytes: 10,
            webModelBytes: 8,
          },
        }
      : {}),
    completedAt: '2026-01-01T00:01:00Z',
    tools: { validator: '0.1.0', gltfValidator: '2.0.0' },
  };
}

/** A RenderJob in `phase` with outputs when Succeeded. */
export function renderJobIn(base: RenderJob, phase: 'Running' | 'Succeeded' | 'Failed'): RenderJob {
  const r = structuredClone(base);
  const out = r.spec.output.uri;
  r.status = { phase, message: phase === 'Failed' ? 'no GPU' : '' };
  if (phase === 'Succeeded') {
    r.status.framesRendered = 36;
    r.status.outputs = {
      manifestUri: `${out}manifest.json`,
      posterUri: `${out}poster.webp`,
      framesPrefix: `${out}360/`,
      descriptorsUri: `${out}descriptors.json`,
      ...(r.spec.references ? { fidelityUri: `${out}fidelity.json` } : {}),
    };
  }
  return r;
}
