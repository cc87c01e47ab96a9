import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQAReview, buildRenderJob } from '../../controllers/asset-submission/children.ts';
import { buildRenderJobJob, buildValidationJob } from '../../controllers/jobs.ts';
import type { AssetSubmission, Job } from '../../controllers/resources.ts';
import { assetSubmission, testConfig } from '../../controllers/test-support/builders.ts';
import { LOCAL_OVERLAY_DIR, type NodeCluster, startNodeCluster } from '../../dev/local-node/cluster.ts';
import type { LocalNode } from '../../dev/local-node/start-node.ts';
import { buildImages } from '../../images/build/main.ts';
import { GPU_NODE_LABELS, GPU_NODE_TAINTS } from '../../pulumi/gpu-scheduling.ts';
import { harness } from '../harness/index.ts';

const NAMESPACE = 'shazam-e2e';

/**
 * Runs in the container: passes only as a non-root user whose root filesystem refuses writes while the
 * scratch volume accepts them.
 */
const PROBE = `
const fs = require('node:fs');
const uid = process.getuid();
let rootWritable = true;
try { fs.writeFileSync('/probe', 'x'); } catch (e) { rootWritable = e.code !== 'EROFS'; }
fs.writeFileSync('/scratch/probe', 'x');
console.log(JSON.stringify({ uid, rootWritable }));
process.exit(uid !== 0 && !rootWritable ? 0 : 1);
`;

let cluster: NodeCluster;
let node: LocalNode;
let shazamImage: string;

function kubectl(args: string[], input?: string): Promise<string> {
  return cluster.kubectl(args, input);
}

async function getJson<T>(args: string[]): Promise<T> {
  return JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as T;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** The operator's configuration with the locally imported image and the GPU placement of pulumi/. */
function localConfig() {
  const config = testConfig();
  for (const template of [config.jobs.validation, config.jobs.render]) {
    template.image = shazamImage;
    template.imagePullPolicy = 'Never';
    template.serviceAccountName = 'shazam-jobs';
    template.resources = {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    };
  }
  return config;
}

/** A Job the operator would build, with its container made to run {@link PROBE}. */
function probing(job: Job): Job {
  const pod = (job.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec;
  const container = pod.containers[0]!;
  container.command = ['node', '-e', PROBE];
  container.args = [];
  return job;
}

async function createSubmission(name: string): Promise<AssetSubmission> {
  const draft = assetSubmission(name).withoutFinalizer().build();
  const {
    uid: _uid,
    resourceVersion: _rv,
    creationTimestamp: _ct,
    generation: _g,
    ...metadata
  } = draft.metadata;
  const body = { ...draft, metadata: { ...metadata, namespace: NAMESPACE } };
  return JSON.parse(
    await kubectl(['create', '-o', 'json', '-f', '-'], JSON.stringify(body)),
  ) as AssetSubmission;
}

interface PodList {
  items: {
    metadata: { name: string };
    spec: { nodeName?: string };
    status: {
      phase: string;
      conditions?: { type: string; status: string; reason?: string; message?: string }[];
    };
  }[];
}

beforeAll(async () => {
  const [images, started] = await Promise.all([buildImages(), startNodeCluster(harness().s3.endpoint)]);
  cluster = started;
  node = cluster.node;
  const shazam = images.images.find((image) => image.name === 'shazam');
  if (!shazam) throw new Error('images.json lacks the shazam image');
  await node.importImage(shazam.archive);
  shazamImage = shazam.reference;
  await kubectl(['create', 'namespace', NAMESPACE]);
  await kubectl([
    'label',
    'namespace',
    NAMESPACE,
    'pod-security.kubernetes.io/enforce=restricted',
    'pod-security.kubernetes.io/enforce-version=latest',
  ]);
  await kubectl(['create', 'serviceaccount', 'shazam-jobs', '-n', NAMESPACE]);
}, 1_200_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

describe('a real node: containerd, runc, kubelet, scheduler and controller-manager', () => {
  it('runs the validation Job the operator builds as a pod of our image, non-root on a read-only root', async () => {
    const submission = await createSubmission('probe');
    const job = probing(buildValidationJob(submission, localConfig()));
    await kubectl(['create', '-f', '-'], JSON.stringify(job));
    const name = job.metadata.name;
    await until(
      `Job ${name} to complete`,
      async () => {
        const current = await getJson<{ status: { conditions?: { type: string; status: string }[] } }>([
          'job',
          name,
          '-n',
          NAMESPACE,
        ]);
        const failed = current.status.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
        if (failed) throw new Error(`Job failed: ${JSON.stringify(current.status)}`);
        return current.status.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')
          ? true
          : undefined;
      },
      90_000,
    );
    const pods = await getJson<PodList>(['pods', '-n', NAMESPACE, '-l', `job-name=${name}`]);
    expect(pods.items.map((pod) => pod.spec.nodeName)).toEqual([node.nodeName]);
    const logs = await kubectl(['logs', '-n', NAMESPACE, `job/${name}`]);
    const report = JSON.parse(logs.trim().split('\n').at(-1) ?? '{}') as {
      uid: number;
      rootWritable: boolean;
    };
    expect(report.uid).not.toBe(0);
    expect(report.rootWritable).toBe(false);
  });

  it('runs the operator of the local overlay as a pod under its ServiceAccount, Ready against the apiserver', async () => {
    await kubectl(['apply', '--server-side', '--force-conflicts', '-k', LOCAL_OVERLAY_DIR]);
    await kubectl([
      'rollout',
      'status',
      'deployment/shazam-operator',
      '-n',
      'shazam-system',
      '--timeout=180s',
    ]);
    const pods = await getJson<{
      items: {
        spec: {
          serviceAccountName: string;
          containers: { securityContext: { readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean } }[];
        };
        status: { containerStatuses: { ready: boolean; image: string }[] };
      }[];
    }>(['pods', '-n', 'shazam-system', '-l', 'app.kubernetes.io/name=shazam-operator']);
    const operator = pods.items[0]!;
    expect(operator.spec.serviceAccountName).toBe('shazam-operator');
    expect(operator.spec.containers[0]!.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    expect(operator.status.containerStatuses[0]).toMatchObject({ ready: true });
  }, 240_000);

  it('refuses a privileged pod in the restricted namespace (Pod Security admission)', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'privileged', namespace: NAMESPACE },
      spec: { containers: [{ name: 'c', image: shazamImage, securityContext: { privileged: true } }] },
    };
    const error = await kubectl(['create', '-f', '-'], JSON.stringify(pod)).then(
      () => undefined,
      (failure: { stderr?: string }) => failure.stderr ?? String(failure),
    );
    expect(error).toMatch(/violates PodSecurity "restricted:latest"/);
  });

  it('garbage-collects a deleted submission’s Jobs, QAReviews and RenderJobs through owner references', async () => {
    const submission = await createSubmission('collected');
    const config = localConfig();
    const children = [
      probing(buildValidationJob(submission, config)),
      buildQAReview(submission),
      buildRenderJob(submission, config),
    ];
    for (const child of children) await kubectl(['create', '-f', '-'], JSON.stringify(child));
    const refs = children.map(
      (child) => `${child.kind.toLowerCase()}.${child.apiVersion.split('/')[0]}/${child.metadata.name}`,
    );
    await kubectl(['delete', 'assetsubmission', submission.metadata.name, '-n', NAMESPACE, '--wait=true']);
    await until(
      'the children to be collected',
      async () => {
        const left = await kubectl(['get', ...refs, '-n', NAMESPACE, '--ignore-not-found', '-o', 'name']);
        return left.trim() === '' ? true : undefined;
      },
      60_000,
    );
  });

  it('schedules the render Job only on a node advertising nvidia.com/gpu with the GPU labels and taint', async () => {
    const submission = await createSubmission('gpu');
    const config = localConfig();
    const renderJob = buildRenderJob(submission, config);
    const created = JSON.parse(
      await kubectl(['create', '-o', 'json', '-f', '-'], JSON.stringify(renderJob)),
    ) as typeof renderJob;
    const job = probing(buildRenderJobJob(created, config));
    await kubectl(['create', '-f', '-'], JSON.stringify(job));
    const selector = `job-name=${job.metadata.name}`;
    const unschedulable = await until(
      'the scheduler to report the render pod unschedulable',
      async () => {
        const pods = await getJson<PodList>(['pods', '-n', NAMESPACE, '-l', selector]);
        return pods.items[0]?.status.conditions?.find(
          (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
        );
      },
      60_000,
    );
    expect(unschedulable.message).toMatch(
      /node\(s\) didn't match Pod's node affinity\/selector|Insufficient nvidia.com\/gpu/,
    );

    const labels = Object.entries(GPU_NODE_LABELS).map(([key, value]) => `${key}=${value}`);
    await kubectl(['label', 'node', node.nodeName, ...labels]);
    await kubectl([
      'taint',
      'node',
      node.nodeName,
      ...GPU_NODE_TAINTS.map((taint) => `${taint.key}=${taint.value}:${taint.effect}`),
    ]);
    await kubectl([
      'patch',
      'node',
      node.nodeName,
      '--subresource=status',
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'add', path: '/status/capacity/nvidia.com~1gpu', value: '1' }]),
    ]);
    const placed = await until(
      'the render pod to be scheduled',
      async () => {
        const pods = await getJson<PodList>(['pods', '-n', NAMESPACE, '-l', selector]);
        return pods.items[0]?.spec.nodeName;
      },
      90_000,
    );
    expect(placed).toBe(node.nodeName);
  });
});
