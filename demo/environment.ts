import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { KubeConfig } from '@kubernetes/client-node';
import { applyCrds } from '../dev/local-cluster/apply-crds.ts';
import { ensureBinaries } from '../dev/local-cluster/binaries.ts';
import { type ControlPlane, startControlPlane } from '../dev/local-cluster/control-plane.ts';
import { type S3Server, startS3Server } from '../dev/local-cluster/s3-server.ts';
import { grantReviewerAccess, writeTokenKubeconfig } from '../dev/reviewer-access.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { isConflict } from '../lib/kube/errors.ts';
import { createS3Client, type S3ConnectionConfig } from '../lib/storage/s3-client.ts';
import { type PagesServer, startPagesServer } from './pages-server.ts';
import { type RunningPipeline, startPipeline } from './pipeline.ts';

const crdDir = fileURLToPath(new URL('../crds', import.meta.url));

/** Options of {@link startDemoEnvironment}. */
export interface DemoEnvironmentOptions {
  /** Namespace the demo works in. Default `shazam-demo`. */
  namespace?: string;
  /** Port of the pages server; 0 picks a free one. */
  pagesPort?: number;
  /** Where progress lines go. */
  log: (line: string) => void;
}

/** Everything the demo started, with the handles to use and stop it. */
export interface DemoEnvironment {
  namespace: string;
  incomingBucket: string;
  assetsBucket: string;
  controlPlane: ControlPlane;
  /** Admin client (the artist's and Argo CD's side of the demo). */
  admin: KubeClient;
  /** The QA reviewer's kubeconfig: a ServiceAccount token limited by RBAC to reading and deciding reviews. */
  reviewerKubeconfigPath: string;
  s3Connection: S3ConnectionConfig;
  s3: S3Client;
  pages: PagesServer;
  pipeline: RunningPipeline;
  /** Product page of an ASIN. */
  productUrl(asin: string): string;
  /** The QA page. */
  qaUrl: string;
  /** Stops everything in reverse order of start. Safe to call twice. */
  stop(): Promise<void>;
}

async function createNamespace(admin: KubeClient, name: string): Promise<void> {
  try {
    await admin.request('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
}

/**
 * Starts the embedded default of SHAZAM on this machine: etcd and kube-apiserver (the test harness's),
 * an S3 server with the incoming and assets buckets, the CRDs, a QA reviewer identity, the pages server,
 * and the pipeline (operator, local job runner, search API).
 *
 * Guarantees: if any part fails to start, the parts already started are stopped before the error is
 * rethrown, so a failed start leaves no processes behind.
 */
export async function startDemoEnvironment(options: DemoEnvironmentOptions): Promise<DemoEnvironment> {
  const namespace = options.namespace ?? 'shazam-demo';
  const incomingBucket = 'shazam-incoming';
  const assetsBucket = 'shazam-assets';
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };
  try {
    const binaries = await ensureBinaries(process.env, options.log);
    options.log('Starting etcd, kube-apiserver and the S3 server');
    const [controlPlane, s3Server] = await Promise.all([startControlPlane({ binaries }), startS3Server()]);
    stops.push(() => controlPlane.stop());
    stops.push(() => (s3Server as S3Server).stop());
    const crds = await applyCrds(binaries.kubectl, controlPlane.kubeconfigPath, crdDir);
    options.log(
      `kube-apiserver ${controlPlane.server} with ${crds.length} CRDs; S3 ${s3Server.connection.endpoint}`,
    );

    const adminConfig = new KubeConfig();
    adminConfig.loadFromFile(controlPlane.kubeconfigPath);
    const admin = new KubeClient(adminConfig, { userAgent: 'shazam-demo' });
    stops.push(async () => admin.close());
    await createNamespace(admin, namespace);

    const s3Connection: S3ConnectionConfig = s3Server.connection;
    const s3 = createS3Client(s3Connection);
    stops.push(async () => s3.destroy());
    for (const bucket of [incomingBucket, assetsBucket])
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    const reviewer = await grantReviewerAccess({ admin, namespace, name: 'qa-reviewer', mayDecide: true });
    const secrets = await mkdtemp(join(tmpdir(), 'shazam-demo-'));
    await mkdir(join(secrets, 'jobs'));
    stops.push(() => rm(secrets, { recursive: true, force: true }));
    const reviewerKubeconfigPath = join(secrets, 'qa-reviewer.kubeconfig');
    const cluster = adminConfig.getCurrentCluster();
    if (!cluster?.caData) throw new Error('the control plane kubeconfig has no CA data');
    await writeTokenKubeconfig(reviewerKubeconfigPath, {
      server: cluster.server,
      caData: cluster.caData,
      token: reviewer.token,
      namespace,
      user: 'qa-reviewer',
    });
    const reviewerConfig = new KubeConfig();
    reviewerConfig.loadFromFile(reviewerKubeconfigPath);

    let searchApiUrl = '';
    const pages = await startPagesServer({
      port: options.pagesPort ?? 0,
      searchApiUrl: () => searchApiUrl,
      s3,
      assetsBucket,
      reviewerKubeConfig: reviewerConfig,
      namespace,
    });
    stops.push(() => pages.close());
    options.log(`Pages at ${pages.url}`);

    const pipeline = await startPipeline({
      kubeconfigPath: controlPlane.kubeconfigPath,
      kubeConfig: adminConfig,
      namespace,
      s3Connection,
      incomingBucket,
      assetsBucket,
      publicBaseUrl: pages.cdnBaseUrl,
      workRoot: join(secrets, 'jobs'),
      log: options.log,
    });
    stops.push(() => pipeline.stop());
    searchApiUrl = pipeline.searchApiUrl;

    return {
      namespace,
      incomingBucket,
      assetsBucket,
      controlPlane,
      admin,
      reviewerKubeconfigPath,
      s3Connection,
      s3,
      pages,
      pipeline,
      productUrl: (asin) => `${pages.url}/storefront/?asin=${encodeURIComponent(asin)}`,
      qaUrl: `${pages.url}/qa/`,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
