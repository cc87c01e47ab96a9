/**
 * Pure builders of the Jobs the operator runs: the validation Job of a submission and the render Job of a
 * RenderJob. Both meet the Pod Security "restricted" profile (non-root, no privilege escalation, every
 * capability dropped, RuntimeDefault seccomp) with a read-only root filesystem and an emptyDir for scratch,
 * and carry requests/limits, a deadline, a retry limit and a TTL from the configuration.
 */
import { resolveRenderSettings } from '../crds/api.ts';
import { threadPoolSizeForCpu } from '../lib/runtime/thread-pool-size.ts';
import { validationResultKey } from '../lib/storage/layout.ts';
import { s3ConnectionToEnv } from '../lib/storage/s3-client.ts';
import type { ControllerConfig, JobTemplateConfig } from './context.ts';
import {
  controllerReference,
  LABELS,
  labelValue,
  MANAGED_BY,
  renderJobJobName,
  submissionChildLabels,
  validationJobName,
} from './names.ts';
import type { AssetSubmission, Job, RenderJob } from './resources.ts';

/** Where every Job container writes its termination message (the Kubernetes default). */
export const TERMINATION_MESSAGE_PATH = '/dev/termination-log';

/** Where the writable scratch volume is mounted in every Job container. */
export const SCRATCH_PATH = '/scratch';

/** The `s3://` URI of the compact validation result of a submission's current delivery. */
export function validationResultUri(submission: AssetSubmission, config: ControllerConfig): string {
  const { asin, revision, delivery } = submission.spec;
  return `s3://${config.s3.assetsBucket}/${validationResultKey(asin, revision, delivery.sha256)}`;
}

function podSpec(
  template: JobTemplateConfig,
  container: { name: string; args: string[]; env: Record<string, string> },
  resources: { requests: Record<string, string>; limits: Record<string, string> },
): Record<string, unknown> {
  const env = {
    ...container.env,
    HOME: SCRATCH_PATH,
    TMPDIR: SCRATCH_PATH,
    SHAZAM_TERMINATION_MESSAGE_PATH: TERMINATION_MESSAGE_PATH,
  };
  return {
    restartPolicy: 'Never',
    serviceAccountName: template.serviceAccountName,
    // The Jobs talk to S3 only; they need no Kubernetes API token.
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: template.runAsUser,
      runAsGroup: template.runAsUser,
      fsGroup: template.runAsUser,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: container.name,
        image: template.image,
        imagePullPolicy: template.imagePullPolicy,
        command: [...template.command],
        args: container.args,
        env: Object.entries(env)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => ({ name, value })),
        ...(template.credentialsSecretName
          ? { envFrom: [{ secretRef: { name: template.credentialsSecretName } }] }
          : {}),
        resources: { requests: { ...resources.requests }, limits: { ...resources.limits } },
        securityContext: {
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        volumeMounts: [{ name: 'scratch', mountPath: SCRATCH_PATH }],
        // The program writes why it failed here; a program that dies before it can, leaves its last log
        // lines instead. The operator reads either from the pod's status.
        terminationMessagePath: TERMINATION_MESSAGE_PATH,
        terminationMessagePolicy: 'FallbackToLogsOnError',
      },
    ],
    volumes: [{ name: 'scratch', emptyDir: { sizeLimit: template.scratchSizeLimit } }],
  };
}

function jobSpec(template: JobTemplateConfig, labels: Record<string, string>, pod: Record<string, unknown>) {
  return {
    backoffLimit: template.backoffLimit,
    activeDeadlineSeconds: template.activeDeadlineSeconds,
    ttlSecondsAfterFinished: template.ttlSecondsAfterFinished,
    template: { metadata: { labels }, spec: pod },
  };
}

function s3Env(config: ControllerConfig): Record<string, string> {
  // Credentials never go into a Job spec: pods get them from their ServiceAccount (IRSA), or from the
  // Secret the template names.
  return s3ConnectionToEnv({
    endpoint: config.s3.endpoint,
    region: config.s3.region,
    forcePathStyle: config.s3.forcePathStyle,
  });
}

/**
 * The validation Job of a submission's current revision: runs `shazam validate-job` with the arguments of
 * docs/architecture.md and writes the compact result to {@link validationResultUri}.
 *
 * @example
 * ```ts
 * const job = buildValidationJob(submission, config); // job.metadata.name === 'chair-r1-validate-0123abcd'
 * ```
 */
export function buildValidationJob(submission: AssetSubmission, config: ControllerConfig): Job {
  const template = config.jobs.validation;
  const { asin, revision, delivery } = submission.spec;
  const stages = submission.spec.stages ?? ['cleanup', 'uv', 'texturing'];
  const labels = submissionChildLabels(submission, 'validation');
  const args = [
    '--delivery',
    delivery.uri,
    '--sha256',
    delivery.sha256,
    '--asin',
    asin,
    '--revision',
    String(revision),
    '--stages',
    stages.join(','),
    '--assets-bucket',
    config.s3.assetsBucket,
    '--result',
    validationResultUri(submission, config),
  ];
  if (config.jobs.policyFile) args.push('--policy', config.jobs.policyFile);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: validationJobName(submission),
      namespace: submission.metadata.namespace,
      labels,
      ownerReferences: [controllerReference(submission)],
    },
    spec: jobSpec(
      template,
      labels,
      podSpec(template, { name: 'validate', args, env: s3Env(config) }, template.resources),
    ),
  };
}

/**
 * The render Job of a RenderJob: runs `shazam render-job`; when the RenderJob requires a GPU, the pod is
 * scheduled on GPU nodes (node selector, tolerations) and limited to `gpu.count` of `gpu.resourceName`.
 */
export function buildRenderJobJob(renderJob: RenderJob, config: ControllerConfig): Job {
  const template = config.jobs.render;
  const spec = renderJob.spec;
  const gpuRequired = spec.gpu?.required ?? true;
  const labels: Record<string, string> = {
    [LABELS.name]: 'shazam',
    [LABELS.component]: 'render',
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.renderJob]: labelValue(renderJob.metadata.name),
  };
  // Whose render it is: the submission, ASIN and revision labels of the RenderJob the operator made for a
  // submission (a RenderJob made by hand has none).
  for (const key of [LABELS.submission, LABELS.asin, LABELS.revision]) {
    const value = renderJob.metadata.labels?.[key];
    if (value !== undefined) labels[key] = labelValue(value);
  }
  // The effective settings (spec, else preset, else the API's defaults) are passed in full, so the renderer's
  // own command-line defaults never decide what an operator-made render looks like.
  const settings = resolveRenderSettings(spec);
  const args = ['--source', spec.source.uri, '--out', spec.output.uri];
  args.push('--frames', String(settings.frames), '--resolution', String(settings.resolution));
  // Unset, the elevation is the renderer's `auto`: the API's default, raised for a tall product's top to show.
  args.push('--elevation', spec.elevation !== undefined ? String(settings.elevation) : 'auto');
  args.push('--background', settings.background);
  if (spec.preset !== undefined) args.push('--preset', spec.preset);
  if (spec.references !== undefined) args.push('--references', spec.references.uri);
  if (spec.formats !== undefined && spec.formats.length > 0) args.push('--formats', spec.formats.join(','));
  args.push(gpuRequired ? '--require-gpu' : '--allow-software');

  const resources = {
    requests: { ...template.resources.requests },
    limits: { ...template.resources.limits },
  };
  // libuv reads its pool size once at start: one thread per CPU of the pod, so every frame the encode
  // stage holds is encoded at once.
  const env = {
    ...s3Env(config),
    UV_THREADPOOL_SIZE: String(threadPoolSizeForCpu(resources.limits.cpu ?? resources.requests.cpu)),
  };
  const pod = podSpec(template, { name: 'render', args, env }, resources);
  if (gpuRequired) {
    const resourceName = spec.gpu?.resourceName ?? config.gpu.resourceName;
    const count = String(spec.gpu?.count ?? config.gpu.count);
    // Extended resources are requested through limits; a request, if set, must equal the limit.
    resources.limits[resourceName] = count;
    resources.requests[resourceName] = count;
    const containers = pod.containers as { resources: unknown }[];
    containers[0]!.resources = resources;
    pod.nodeSelector = { ...config.gpu.nodeSelector };
    pod.tolerations = config.gpu.tolerations.map((toleration) => ({ ...toleration }));
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: renderJobJobName(renderJob),
      namespace: renderJob.metadata.namespace,
      labels,
      ownerReferences: [controllerReference(renderJob)],
    },
    spec: jobSpec(template, labels, pod),
  };
}
