import { describe, expect, it } from 'vitest';
import { buildRenderJob } from './asset-submission/children.ts';
import { buildRenderJobJob, buildValidationJob } from './jobs.ts';
import { ARGO_TRACKING_LABEL, childName } from './names.ts';
import { assetSubmission, testConfig } from './test-support/builders.ts';

const config = testConfig();

interface Pod {
  securityContext: Record<string, unknown>;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  automountServiceAccountToken: boolean;
  serviceAccountName: string;
  volumes: unknown[];
  containers: {
    args: string[];
    env: { name: string; value: string }[];
    envFrom?: { secretRef: { name: string } }[];
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    securityContext: Record<string, unknown>;
  }[];
}
const pod = (spec: Record<string, unknown>) => (spec.template as { spec: Pod }).spec;

describe('buildValidationJob', () => {
  const submission = assetSubmission().build();
  const job = buildValidationJob(submission, config);
  const spec = pod(job.spec);

  it('meets the restricted Pod Security profile with a read-only root and scratch space', () => {
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.containers[0]!.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(spec.volumes).toEqual([{ name: 'scratch', emptyDir: { sizeLimit: '2Gi' } }]);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.serviceAccountName).toBe('shazam-jobs');
  });

  it('passes the documented arguments and no credentials', () => {
    expect(spec.containers[0]!.args).toEqual([
      '--delivery',
      's3://incoming-test/incoming/B0CHAIR001/r1.zip',
      '--sha256',
      'a'.repeat(64),
      '--asin',
      'B0CHAIR001',
      '--revision',
      '1',
      '--stages',
      'cleanup,uv,texturing',
      '--assets-bucket',
      'assets-test',
      '--result',
      `s3://assets-test/assets/B0CHAIR001/validation/r1-${'a'.repeat(16)}.json`,
    ]);
    const names = spec.containers[0]!.env.map((e) => e.name);
    expect(names).toContain('AWS_ENDPOINT_URL_S3');
    expect(names.filter((n) => /SECRET|ACCESS_KEY/.test(n))).toEqual([]);
    expect(spec.containers[0]!.envFrom).toBeUndefined();
  });

  it('gives the container the named credentials Secret as environment, by reference only', () => {
    const withSecret = structuredClone(config);
    withSecret.jobs.validation.credentialsSecretName = 's3-credentials';
    const container = pod(buildValidationJob(submission, withSecret).spec).containers[0]!;
    expect(container.envFrom).toEqual([{ secretRef: { name: 's3-credentials' } }]);
    expect(container.env.map((e) => e.name).filter((n) => /SECRET|ACCESS_KEY/.test(n))).toEqual([]);
  });

  it('has limits, a deadline, a retry limit, a TTL, an owner and no Argo CD tracking label', () => {
    expect(job.spec).toMatchObject({
      backoffLimit: 2,
      activeDeadlineSeconds: 900,
      ttlSecondsAfterFinished: 3600,
    });
    expect(spec.containers[0]!.resources.limits).toEqual({ cpu: '2', memory: '4Gi' });
    expect(job.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'pipeline.shazam.dev/v1alpha1',
        kind: 'AssetSubmission',
        name: 'chair',
        uid: 'uid-chair',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(job.metadata.labels?.[ARGO_TRACKING_LABEL]).toBeUndefined();
  });

  it('is deterministic', () => {
    expect(buildValidationJob(assetSubmission().build(), config)).toEqual(job);
  });
});

describe('buildRenderJobJob', () => {
  const renderJob = {
    ...buildRenderJob(assetSubmission().withRevision(3).build(), config),
    metadata: { name: 'chair-r3', namespace: 'studio', uid: 'rj', generation: 1 },
  };

  it('schedules on GPU nodes with the GPU limit when a GPU is required', () => {
    const spec = pod(buildRenderJobJob(renderJob, config).spec);
    expect(spec.nodeSelector).toEqual({ 'shazam.dev/gpu': 'true' });
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.containers[0]!.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(spec.containers[0]!.args).toEqual([
      '--source',
      's3://assets-test/assets/B0CHAIR001/versions/3/model.glb',
      '--out',
      's3://assets-test/assets/B0CHAIR001/versions/3/renders/',
      // Unset settings take the API's defaults, never the renderer's own (its background is transparent).
      '--frames',
      '36',
      '--resolution',
      '1024',
      // The elevation left unset is `auto`: 15°, raised for a tall product's top to show.
      '--elevation',
      'auto',
      '--background',
      '#ffffff',
      // The candidate's reference photos, scored against its frames for QA.
      '--references',
      's3://assets-test/assets/B0CHAIR001/versions/3/references/',
      '--formats',
      'webp',
      '--require-gpu',
    ]);
    // libuv gets a thread per CPU of the render pod (limit 4 in the test config).
    expect(spec.containers[0]!.env).toContainEqual({ name: 'UV_THREADPOOL_SIZE', value: '4' });
  });

  it('runs anywhere in software when the RenderJob does not require a GPU', () => {
    const software = {
      ...renderJob,
      spec: { ...renderJob.spec, gpu: { required: false }, frames: 72, preset: 'amazon-360' as const },
    };
    const spec = pod(buildRenderJobJob(software, config).spec);
    expect(spec.nodeSelector).toBeUndefined();
    expect(spec.containers[0]!.resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(spec.containers[0]!.args).toEqual(
      expect.arrayContaining(['--frames', '72', '--preset', 'amazon-360', '--allow-software']),
    );
    // The preset fills what the spec leaves unset.
    const args = spec.containers[0]!.args;
    expect(args[args.indexOf('--resolution') + 1]).toBe('2000');
    expect(args[args.indexOf('--background') + 1]).toBe('#ffffff');
  });
});

describe('childName', () => {
  it.each([
    // Short names are kept readable.
    { base: 'chair', suffix: 'r1', expected: 'chair-r1' },
    // Long names are cut to 63 characters with a hash, keeping the suffix.
    {
      base: 'a'.repeat(80),
      suffix: 'r12-validate-0123abcd',
      expected: /^a+-[0-9a-f]{8}-r12-validate-0123abcd$/,
    },
  ])('$base + $suffix', ({ base, suffix, expected }) => {
    const name = childName(base, suffix);
    expect(name.length).toBeLessThanOrEqual(63);
    if (typeof expected === 'string') expect(name).toBe(expected);
    else expect(name).toMatch(expected);
  });

  it('gives two long parents different names', () => {
    expect(childName(`${'a'.repeat(70)}x`, 'r1')).not.toBe(childName(`${'a'.repeat(70)}y`, 'r1'));
  });
});
