import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQAReview, buildRenderJob } from '../../controllers/asset-submission/children.ts';
import { buildValidationJob } from '../../controllers/jobs.ts';
import { MAX_LABEL_VALUE } from '../../controllers/names.ts';
import type { AssetSubmission, Job, RenderJob } from '../../controllers/resources.ts';
import { assetSubmission, testConfig } from '../../controllers/test-support/builders.ts';
import { LOCAL_OVERLAY_DIR, type NodeCluster, startNodeCluster } from '../../dev/local-node/cluster.ts';
import type { LocalNode } from '../../dev/local-node/start-node.ts';
import { buildImages } from '../../images/build/main.ts';
import { packDirectory } from '../../lib/shazam-client/deterministic-zip.ts';
import { incomingKey, versionKeys } from '../../lib/storage/layout.ts';
import { GPU_NODE_LABELS, GPU_NODE_TAINTS } from '../../pulumi/gpu-scheduling.ts';
import { harness, s3Client } from '../harness/index.ts';

const NAMESPACE = 'shazam-e2e';
/** Where the local overlay's operator watches, and its buckets on the harness's S3 server. */
const PIPELINE = 'shazam-pipeline';
const BUCKETS = { incoming: 'shazam-incoming', assets: 'shazam-assets' } as const;
const EXAMPLE_ASIN = 'B0D4KMX7Q2';
const exampleDir = fileURLToPath(new URL(`../../examples/deliveries/${EXAMPLE_ASIN}`, import.meta.url));

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
  for (const image of images.images) await node.importImage(image.archive);
  shazamImage = shazam.reference;
  const s3 = s3Client();
  try {
    for (const bucket of Object.values(BUCKETS)) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: { name?: string }) => {
        if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
      });
    }
  } finally {
    s3.destroy();
  }
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

  it('takes a submission named with 253 characters to Published, its Jobs running as pods of our images', async () => {
    const name = `${'a'.repeat(120)}.${'b'.repeat(120)}.node-${'c'.repeat(6)}`;
    expect(name).toHaveLength(253);
    const packed = await packDirectory(exampleDir);
    const s3 = s3Client();
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKETS.incoming,
          Key: incomingKey(EXAMPLE_ASIN, 1),
          Body: packed.zip,
        }),
      );
    } finally {
      s3.destroy();
    }
    const submission = {
      apiVersion: 'pipeline.shazam.dev/v1alpha1',
      kind: 'AssetSubmission',
      metadata: { name, namespace: PIPELINE },
      spec: {
        asin: EXAMPLE_ASIN,
        revision: 1,
        artist: 'mira.okafor@studio.example',
        product: { title: 'Stand mixer', brand: 'Shopify' },
        delivery: { uri: `s3://${BUCKETS.incoming}/${incomingKey(EXAMPLE_ASIN, 1)}`, sha256: packed.sha256 },
        stages: ['cleanup', 'uv', 'texturing'],
        render: { frames: 4, resolution: 128 },
      },
    };
    await kubectl(['create', '-f', '-'], JSON.stringify(submission));
    const phaseOf = async () =>
      getJson<AssetSubmission>(['assetsubmission', name, '-n', PIPELINE]).then((s) => s.status);
    // QA approves whenever the review opens; the pods do the rest.
    const published = await until(
      `${name.slice(0, 20)}… to be Published`,
      async () => {
        const status = await phaseOf();
        if (status?.phase === 'Failed' || status?.phase === 'ValidationFailed') {
          throw new Error(`the submission stopped: ${status.phase}: ${status.message}`);
        }
        const reviews = await getJson<{
          items: { metadata: { name: string }; spec: { decision?: string } }[];
        }>(['qareviews', '-n', PIPELINE]);
        for (const review of reviews.items.filter((r) => (r.spec.decision ?? 'Pending') === 'Pending')) {
          await kubectl([
            'patch',
            'qareview',
            review.metadata.name,
            '-n',
            PIPELINE,
            '--type=merge',
            '-p',
            JSON.stringify({ spec: { decision: 'Approved', reviewer: 'qa-lee' } }),
          ]);
        }
        return status?.phase === 'Published' ? status : undefined;
      },
      420_000,
    ).catch(async (error: Error) => {
      const pods = await kubectl(['get', 'pods,jobs,renderjobs,qareviews', '-n', PIPELINE, '-o', 'wide']);
      throw new Error(`${error.message}\n${pods}\n${JSON.stringify(await phaseOf(), null, 1)}`);
    });
    expect(published.published?.version).toBe(1);
    expect(published.published?.spin?.frameCount).toBe(4);

    // Both Jobs ran as pods of our images, admitted in the restricted namespace, non-root on a read-only root.
    const jobs = await getJson<{ items: Job[] }>(['jobs', '-n', PIPELINE]);
    const pods = await getJson<{
      items: {
        metadata: { name: string; labels?: Record<string, string> };
        spec: {
          nodeName?: string;
          securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
          containers: { image: string; securityContext?: { readOnlyRootFilesystem?: boolean } }[];
        };
        status: { phase: string };
      }[];
    }>(['pods', '-n', PIPELINE]);
    const images = pods.items.map((pod) => pod.spec.containers[0]!.image).sort();
    expect(images).toEqual(['ghcr.io/shazam-dev/shazam-render:local', 'ghcr.io/shazam-dev/shazam:local']);
    for (const pod of pods.items) {
      expect(pod.status.phase).toBe('Succeeded');
      expect(pod.spec.nodeName).toBe(node.nodeName);
      expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(pod.spec.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(pod.spec.containers[0]!.securityContext?.readOnlyRootFilesystem).toBe(true);
    }
    // No name or label derived from the 253 characters passes its limit (the apiserver would have refused it).
    for (const object of [...jobs.items, ...pods.items]) {
      expect(object.metadata.name.length).toBeLessThanOrEqual(MAX_LABEL_VALUE);
      for (const value of Object.values(object.metadata.labels ?? {}))
        expect(value.length).toBeLessThanOrEqual(MAX_LABEL_VALUE);
    }
  }, 480_000);

  it('says why a GPU render waits (the scheduler’s reason), and lands it on the node that advertises nvidia.com/gpu', async () => {
    // A GPU render of the published example: the operator creates its Job, which no node takes yet.
    const keys = versionKeys(EXAMPLE_ASIN, 1);
    const renderJob = {
      apiVersion: 'pipeline.shazam.dev/v1alpha1',
      kind: 'RenderJob',
      metadata: { name: 'gpu-render', namespace: PIPELINE },
      spec: {
        source: { uri: `s3://${BUCKETS.assets}/${keys.model}` },
        output: { uri: `s3://${BUCKETS.assets}/${keys.rendersPrefix}gpu/` },
        frames: 4,
        resolution: 128,
        gpu: { required: true, resourceName: 'nvidia.com/gpu', count: 1 },
      },
    };
    await kubectl(['create', '-f', '-'], JSON.stringify(renderJob));
    const readRenderJob = () => getJson<RenderJob>(['renderjob', 'gpu-render', '-n', PIPELINE]);
    const waiting = await until(
      'the RenderJob to say why no node takes its pod',
      async () => {
        const current = await readRenderJob();
        const scheduled = current.status?.conditions?.find((c) => c.type === 'Scheduled');
        return scheduled?.status === 'False' ? current : undefined;
      },
      90_000,
    );
    expect(waiting.status?.phase).toBe('Pending');
    const unscheduled = waiting.status?.conditions?.find((c) => c.type === 'Scheduled');
    expect(unscheduled?.reason).toBe('Unschedulable');
    expect(unscheduled?.message).toMatch(
      /node\(s\) didn't match Pod's node affinity\/selector|Insufficient nvidia.com\/gpu/,
    );
    expect(waiting.status?.message).toContain('waits for a node');

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
    // The pod lands on the GPU node; this machine has no GPU, so the renderer refuses llvmpipe and the
    // RenderJob fails with what the pod said.
    const failed = await until(
      'the GPU render to be placed and to fail for want of a GPU',
      async () => {
        const current = await readRenderJob();
        return current.status?.phase === 'Failed' ? current : undefined;
      },
      180_000,
    );
    expect(failed.status?.conditions?.find((c) => c.type === 'Scheduled')).toMatchObject({
      status: 'True',
      message: expect.stringContaining(`on node ${node.nodeName}`),
    });
    expect(failed.status?.message).toMatch(/only the software adapter/);
    expect(failed.status?.message).toMatch(/exit code \d+/);
  }, 300_000);
});
