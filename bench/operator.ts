/**
 * `npm run bench:operator`: the operator against N AssetSubmissions on a local control plane (real etcd +
 * kube-apiserver, real S3 server), for N = 1,000 and 10,000 (BENCH_SIZES to change).
 *
 * For each N, on a fresh control plane:
 *   - submissions are created first (not timed), then `shazam operator` is started as its own process;
 *   - time until every submission has its validation Job, and until every submission reports Validating;
 *   - the operator process's peak RSS (VmHWM) and its Kubernetes API requests per submission (from its
 *     /metrics, `shazam_kube_requests_total`), writes included;
 *   - the peer, measured in the same run on the same apiserver: the same N Jobs created directly by one
 *     client at the operator's concurrency, with no controller around them. The ratio operator ÷ peer says
 *     what the controller machinery costs over the apiserver's own write throughput.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { buildValidationJob } from '../controllers/jobs.ts';
import { type AssetSubmission, type Job, RESOURCES } from '../controllers/resources.ts';
import { readJson } from '../controllers/storage.ts';
import { applyCrds } from '../dev/local-cluster/apply-crds.ts';
import { freePort } from '../dev/local-cluster/ports.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { createInformer } from '../lib/kube/informer.ts';
import { validationResultKey } from '../lib/storage/layout.ts';
import { createS3Client } from '../lib/storage/s3-client.ts';
import { parseOperatorConfig } from '../operator/config.ts';
import { ensureBinaries, startControlPlane, startS3Server } from '../test/harness/index.ts';

const ROOT = join(import.meta.dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
/** The operator's default AssetSubmission concurrency; the peer uses the same. */
const CONCURRENCY = 16;

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function submission(namespace: string, index: number, bucket: string): AssetSubmission {
  const asin = `B0${index.toString(36).toUpperCase().padStart(8, '0')}`;
  return {
    apiVersion: 'pipeline.shazam.dev/v1alpha1',
    kind: 'AssetSubmission',
    metadata: { name: `sub-${index}`, namespace, uid: `bench-${index}` },
    spec: {
      asin,
      revision: 1,
      artist: 'bench@studio.example',
      product: { title: `Product ${index}`, brand: 'Bench' },
      delivery: {
        uri: `s3://${bucket}/incoming/${asin}/r1.zip`,
        sha256: index.toString(16).padStart(64, '0'),
      },
      stages: ['cleanup', 'uv', 'texturing'],
    },
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function measure(n: number): Promise<void> {
  const binaries = await ensureBinaries();
  const plane = await startControlPlane({ binaries });
  const s3Server = await startS3Server();
  const work = await mkdtemp(join(tmpdir(), 'shazam-bench-operator-'));
  try {
    await applyCrds(binaries.kubectl, plane.kubeconfigPath, join(ROOT, 'crds'));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(plane.kubeconfigPath);
    const kube = new KubeClient(kubeConfig);
    const s3 = createS3Client(s3Server.connection);
    for (const bucket of ['bench-assets', 'bench-incoming'])
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const namespaces = { ours: 'bench', peer: 'bench-peer', same: 'bench-same' };
    for (const name of Object.values(namespaces)) {
      await kube.create({ group: '', version: 'v1', plural: 'namespaces' }, undefined, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      });
    }
    const indexes = Array.from({ length: n }, (_, i) => i);
    const created = performance.now();
    await pool(indexes, 32, (i) =>
      kube.create(RESOURCES.assetSubmission, namespaces.ours, {
        ...submission(namespaces.ours, i, 'bench-incoming'),
        metadata: { name: `sub-${i}`, namespace: namespaces.ours },
      } as unknown as KubernetesObject),
    );
    const createMs = performance.now() - created;

    const port = await freePort();
    const configPath = join(work, 'operator.yaml');
    const config = {
      namespaces: [namespaces.ours],
      s3: {
        endpoint: s3Server.connection.endpoint,
        region: s3Server.connection.region,
        forcePathStyle: true,
        assetsBucket: 'bench-assets',
        incomingBucket: 'bench-incoming',
      },
      leaderElection: { enabled: false },
      server: { host: '127.0.0.1', metricsPort: port, healthPort: port },
      concurrency: { assetSubmission: CONCURRENCY },
      logLevel: 'warn',
    };
    parseOperatorConfig(config);
    writeFileSync(configPath, stringify(config));

    let jobs = 0;
    const jobInformer = createInformer<Job & KubernetesObject>({
      kubeConfig,
      ...RESOURCES.job,
      namespaces: [namespaces.ours],
    });
    jobInformer.on('add', () => {
      jobs++;
    });
    const validating = new Set<string>();
    const subInformer = createInformer<AssetSubmission & KubernetesObject>({
      kubeConfig,
      ...RESOURCES.assetSubmission,
      namespaces: [namespaces.ours],
    });
    const track = (s: AssetSubmission) => {
      if (s.status?.phase === 'Validating') validating.add(s.metadata.name);
    };
    subInformer.on('add', track);
    subInformer.on('update', track);
    await Promise.all([jobInformer.start(), subInformer.start()]);

    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin/shazam.js'), 'operator', '--config', configPath], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        KUBECONFIG: plane.kubeconfigPath,
        AWS_ACCESS_KEY_ID: s3Server.connection.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3Server.connection.secretAccessKey,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let jobsMs = 0;
    while (validating.size < n) {
      if (child.exitCode !== null) throw new Error(`the operator exited with ${child.exitCode}`);
      if (jobsMs === 0 && jobs >= n) jobsMs = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (jobsMs === 0) jobsMs = performance.now() - started;
    const statusMs = performance.now() - started;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const requests: Record<string, number> = {};
    for (const match of metrics.matchAll(/^shazam_kube_requests_total\{method="([A-Z]+)"\} (\d+)/gm)) {
      requests[match[1]!] = Number(match[2]);
    }
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    // utime + stime, in clock ticks (100 per second on Linux).
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    jobInformer.stop();
    subInformer.stop();

    // Peer 1: the same Jobs, created directly at the operator's concurrency.
    const peerStarted = performance.now();
    await pool(indexes, CONCURRENCY, (i) => {
      const job = buildValidationJob(
        submission(namespaces.peer, i, 'bench-incoming'),
        parseOperatorConfig(config),
      );
      return kube.create(RESOURCES.job, namespaces.peer, job as unknown as KubernetesObject);
    });
    const peerMs = performance.now() - peerStarted;

    // Peer 2: the same requests the operator sends per submission (finalizer PATCH, S3 read of the result,
    // Job POST, status PUT, Event POST), issued directly with no informer, queue or plan around them.
    await pool(indexes, 32, (i) =>
      kube.create(RESOURCES.assetSubmission, namespaces.same, {
        ...submission(namespaces.same, i, 'bench-incoming'),
        metadata: { name: `sub-${i}`, namespace: namespaces.same },
      } as unknown as KubernetesObject),
    );
    const operatorConfig = parseOperatorConfig(config);
    const sameStarted = performance.now();
    await pool(indexes, CONCURRENCY, async (i) => {
      const name = `sub-${i}`;
      const patched = await kube.patch<AssetSubmission & KubernetesObject>(
        RESOURCES.assetSubmission,
        namespaces.same,
        name,
        [{ op: 'add', path: '/metadata/finalizers', value: ['pipeline.shazam.dev/cleanup'] }],
        'json',
      );
      const sub = submission(namespaces.same, i, 'bench-incoming');
      await readJson(s3, 'bench-assets', validationResultKey(sub.spec.asin, 1, sub.spec.delivery.sha256));
      const job = buildValidationJob(
        { ...sub, metadata: { ...sub.metadata, uid: patched.metadata.uid } },
        operatorConfig,
      );
      await kube.create(RESOURCES.job, namespaces.same, job as unknown as KubernetesObject);
      await kube.replace(
        RESOURCES.assetSubmission,
        namespaces.same,
        name,
        {
          ...patched,
          status: { observedGeneration: 1, phase: 'Validating', message: 'bench' },
        } as KubernetesObject,
        'status',
      );
      await kube.create({ group: '', version: 'v1', plural: 'events' }, namespaces.same, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${name}.bench`, namespace: namespaces.same },
        involvedObject: { apiVersion: sub.apiVersion, kind: sub.kind, name, namespace: namespaces.same },
        type: 'Normal',
        reason: 'Validating',
        message: 'bench',
      } as unknown as KubernetesObject);
    });
    const sameMs = performance.now() - sameStarted;
    kube.close();
    s3.destroy();

    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    const writes = total - (requests.GET ?? 0);
    console.log(`N = ${n}`);
    console.log(`  submissions created (setup, not timed):       ${seconds(createMs)}`);
    console.log(
      `  operator: every validation Job created        ${seconds(jobsMs)}  (${(n / (jobsMs / 1000)).toFixed(0)} Jobs/s)`,
    );
    console.log(`  operator: every submission Validating         ${seconds(statusMs)}`);
    console.log(
      `  peer: the same Jobs created directly          ${seconds(peerMs)}  (${(n / (peerMs / 1000)).toFixed(0)} Jobs/s)`,
    );
    console.log(`  ratio operator ÷ peer (Jobs created)          ${(jobsMs / peerMs).toFixed(2)}`);
    console.log(`  peer 2: the operator's requests sent directly ${seconds(sameMs)}`);
    console.log(`  ratio operator ÷ peer 2                       ${(statusMs / sameMs).toFixed(2)}`);
    console.log(
      `  operator peak RSS (VmHWM)                     ${hwm ? `${(Number(hwm) / 1024).toFixed(0)} MiB` : 'n/a'}`,
    );
    console.log(`  operator CPU time (user + system)             ${cpuSeconds.toFixed(1)} s`);
    console.log(
      `  API requests per submission                   ${(total / n).toFixed(2)} (writes ${(writes / n).toFixed(2)}; ${JSON.stringify(requests)})`,
    );
  } finally {
    await s3Server.stop();
    await plane.stop();
    await rm(work, { recursive: true, force: true });
  }
}

for (const n of SIZES) await measure(n);
