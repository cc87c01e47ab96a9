/**
 * `npm run demo -- --node`: the demo's example delivery on a real node. Starts a control plane, S3 and the
 * node (containerd, runc, kubelet, scheduler, controller-manager), imports the images of
 * scripts/build-images.sh, applies manifests/overlays/local (the operator runs as a pod), submits the
 * example and reports each phase and each pod until the submission settles or `--timeout` passes.
 */

import { parseArgs } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { KubeConfig } from '@kubernetes/client-node';
import { findExampleDeliveries } from '../../demo/example-delivery.ts';
import { submitRevision } from '../../demo/submission-flow.ts';
import { buildImages } from '../../images/build/main.ts';
import { parseDuration } from '../../lib/cli/args.ts';
import { KubeClient } from '../../lib/kube/client.ts';
import { createS3Client } from '../../lib/storage/s3-client.ts';
import { startS3Server } from '../local-cluster/s3-server.ts';
import { LOCAL_OVERLAY_DIR, startNodeCluster } from './cluster.ts';

const NAMESPACE = 'shazam-pipeline';
const BUCKETS = ['shazam-incoming', 'shazam-assets'];

function log(line: string): void {
  process.stdout.write(`[demo --node ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--node'),
    options: { timeout: { type: 'string' }, keep: { type: 'boolean' }, asin: { type: 'string' } },
  });
  const timeoutMs = parseDuration(values.timeout ?? '20m', 'timeout');
  const example = (await findExampleDeliveries(values.asin))[0];
  if (!example) throw new Error('no example delivery in examples/deliveries/');
  const started = Date.now();
  const s3Server = await startS3Server();
  const stops: (() => Promise<void>)[] = [() => s3Server.stop()];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
  try {
    log('building (or reusing) the images and starting the control plane and the node');
    const [images, cluster] = await Promise.all([
      buildImages({ log }),
      startNodeCluster(s3Server.connection.endpoint),
    ]);
    stops.push(() => cluster.stop());
    log(`node ${cluster.node.nodeName} Ready; importing ${images.images.length} images`);
    for (const image of images.images) await cluster.node.importImage(image.archive);
    const s3 = createS3Client(s3Server.connection);
    for (const bucket of BUCKETS) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await cluster.kubectl(['apply', '--server-side', '-k', LOCAL_OVERLAY_DIR]);
    await cluster.kubectl([
      'rollout',
      'status',
      'deployment/shazam-operator',
      '-n',
      'shazam-system',
      '--timeout=300s',
    ]);
    log(`operator pod Ready (${Math.round((Date.now() - started) / 1000)} s since start)`);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.controlPlane.kubeconfigPath);
    const admin = new KubeClient(kubeConfig);
    const submitted = await submitRevision({
      admin,
      s3,
      namespace: NAMESPACE,
      incomingBucket: 'shazam-incoming',
      deliveryDir: example.deliveryDir,
      manifestText: example.manifestText,
    });
    log(`submitted ${submitted.name} (${submitted.asin} r${submitted.revision})`);
    const deadline = Date.now() + timeoutMs;
    let lastPhase = '';
    let lastPods = '';
    while (Date.now() < deadline) {
      const phase = (
        await cluster.kubectl([
          'get',
          'assetsubmission',
          submitted.name,
          '-n',
          NAMESPACE,
          '-o',
          'jsonpath={.status.phase}',
        ])
      ).trim();
      if (phase !== lastPhase) log(`phase ${phase || '(none yet)'}`);
      lastPhase = phase;
      const pods = await cluster.kubectl(['get', 'pods', '-n', NAMESPACE, '--no-headers']);
      if (pods !== lastPods && pods.trim() !== '') log(`pods:\n${pods.trimEnd()}`);
      lastPods = pods;
      const reviews = await cluster.kubectl(['get', 'qareviews', '-n', NAMESPACE, '-o', 'name']);
      for (const review of reviews.split('\n').filter(Boolean)) {
        await cluster.kubectl([
          'patch',
          review,
          '-n',
          NAMESPACE,
          '--type=merge',
          '-p',
          '{"spec":{"decision":"Approved","reviewer":"demo"}}',
        ]);
      }
      if (phase === 'Published' || phase === 'Failed' || phase === 'Rejected') break;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    log(
      `${lastPhase || 'no phase'} after ${Math.round((Date.now() - started) / 1000)} s; kubeconfig ${cluster.controlPlane.kubeconfigPath}`,
    );
    if (values.keep) {
      log('keeping everything running until Ctrl-C');
      await new Promise(() => undefined);
    }
    return lastPhase === 'Published' ? 0 : 1;
  } finally {
    await stop();
  }
}

process.exitCode = await main();
