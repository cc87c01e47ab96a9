/**
 * A test bed for operator tests on the harness's real apiserver and S3 server: a fresh namespace and
 * buckets, an operator configuration pointing at them, and helpers to create submissions and wait.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { KubernetesObject } from '@kubernetes/client-node';
import { LABELS, labelValue } from '../../controllers/names.ts';
import { type Job, type QAReview, RESOURCES, type RenderJob } from '../../controllers/resources.ts';
import type { AssetSubmission } from '../../crds/api.ts';
import { KubeClient } from '../../lib/kube/client.ts';
import { silentLogger } from '../../lib/kube/logger.ts';
import { createBucket, createNamespace, kubeConfig, s3Client, s3Config } from '../../test/harness/index.ts';
import { type OperatorConfig, parseOperatorConfig } from '../config.ts';
import { type OperatorHandle, startOperator } from '../operator.ts';

/** One test's namespace, buckets, clients and configuration. */
export interface TestBed {
  namespace: string;
  assetsBucket: string;
  incomingBucket: string;
  kube: KubeClient;
  s3: S3Client;
  config: OperatorConfig;
  start(overrides?: Partial<OperatorConfig>): Promise<OperatorHandle>;
}

/** Creates a namespace, two buckets and a configuration for them. */
export async function createTestBed(prefix: string): Promise<TestBed> {
  const [namespace, assetsBucket, incomingBucket] = await Promise.all([
    createNamespace(prefix),
    createBucket(`${prefix}-assets`),
    createBucket(`${prefix}-incoming`),
  ]);
  const s3 = s3Config();
  const config = parseOperatorConfig({
    namespaces: [namespace],
    s3: {
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      assetsBucket,
      incomingBucket,
      publicBaseUrl: 'https://cdn.example.test',
    },
    leaderElection: { enabled: false, leaseNamespace: namespace },
    server: { host: '127.0.0.1', metricsPort: 0, healthPort: 0 },
  });
  return {
    namespace,
    assetsBucket,
    incomingBucket,
    kube: new KubeClient(kubeConfig()),
    s3: s3Client(),
    config,
    start: (overrides = {}) =>
      startOperator({
        config: { ...config, ...overrides },
        kubeConfig: kubeConfig(),
        s3: s3Client(),
        log: silentLogger,
      }),
  };
}

export { waitFor } from '../../lib/kube/test-support.ts';

/** A submission manifest as an artist commits it. */
export function submissionManifest(
  bed: TestBed,
  name: string,
  asin: string,
  revision: number,
): AssetSubmission {
  return {
    apiVersion: 'pipeline.shazam.dev/v1alpha1',
    kind: 'AssetSubmission',
    metadata: { name, namespace: bed.namespace },
    spec: {
      asin,
      revision,
      artist: 'mira.okafor@studio.example',
      product: { title: 'Oak chair', brand: 'Oak & Co', tags: ['chair'] },
      delivery: {
        uri: `s3://${bed.incomingBucket}/incoming/${asin}/r${revision}.zip`,
        sha256: revision.toString(16).padStart(2, '0').repeat(32),
      },
      stages: ['cleanup', 'uv', 'texturing'],
    },
  };
}

/** Reads objects straight from the apiserver (not a cache). */
export function reader(bed: TestBed) {
  const { kube, namespace } = bed;
  return {
    submission: (name: string) =>
      kube.get<AssetSubmission & KubernetesObject>(RESOURCES.assetSubmission, namespace, name),
    jobs: async (selector?: string) =>
      (await kube.list<Job & KubernetesObject>(RESOURCES.job, { namespace, labelSelector: selector })).items,
    reviews: async () =>
      (await kube.list<QAReview & KubernetesObject>(RESOURCES.qaReview, { namespace })).items,
    renderJobs: async () =>
      (await kube.list<RenderJob & KubernetesObject>(RESOURCES.renderJob, { namespace })).items,
    jobsOf: async (submission: string) =>
      (
        await kube.list<Job & KubernetesObject>(RESOURCES.job, {
          namespace,
          labelSelector: `${LABELS.submission}=${labelValue(submission)}`,
        })
      ).items,
  };
}

/** Reads an S3 object's text, or undefined. */
export async function readText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await answer.Body?.transformToString('utf8');
  } catch {
    return undefined;
  }
}

/** Every key under `prefix` with its ETag. */
export async function listWithEtags(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  for (const item of page.Contents ?? []) if (item.Key) out[item.Key] = item.ETag ?? '';
  return out;
}
