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
 *     what the controller machinery costs over the apiserver's own write throughput;
 *   - peer 2, in the same run: the requests the operator sent per submission (finalizer PATCH, S3 read,
 *     Job POST, status merge PATCH, Event POST) with the bodies it sent (its status and Event, read back),
 *     issued directly at its concurrency. The ratio operator ÷ peer 2 is what informers, queue and plans
 *     add to the same writes;
 *   - what the cache holds per submission (its submission and its validation Job), with and without the
 *     operator's cache transforms, measured in this process on the same objects (heap after a full GC).
 *
 * The benchmark watches nothing while the operator runs (a watch of its own would load the apiserver the
 * peers do not have): progress is read from the operator's /metrics and from one-item lists.
 * BENCH_TIMEOUT_S bounds each size's operator run (default 1200 s); figures of a run cut short say so.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { buildValidationJob } from '../controllers/jobs.ts';
import { type AssetSubmission, type Job, RESOURCES } from '../controllers/resources.ts';
import { readJson } from '../controllers/storage.ts';
import { applyCrds } from '../dev/local-cluster/apply-crds.ts';
import { freePort } from '../dev/local-cluster/ports.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { validationResultKey } from '../lib/storage/layout.ts';
import { createS3Client } from '../lib/storage/s3-client.ts';
import { OPERATOR_TRANSFORMS } from '../operator/cache.ts';
import { parseOperatorConfig } from '../operator/config.ts';
import { ensureBinaries, startControlPlane, startS3Server } from '../test/harness/index.ts';
import {
  compileCommand,
  compileOperator,
  cpuSecondsOf,
  etcdBytesInUse,
  etcdUrlOf,
  memoryOf,
  operatorNodeOptions,
  spawnCommand,
  spawnOperator,
  stopProcess,
  waitForOk,
} from './operator-process.ts';

const ROOT = join(import.meta.dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
/** The operator's default AssetSubmission concurrency; the peer uses the same. */
const CONCURRENCY = 16;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 1200) * 1000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes held by what `build` returns, after full collections before and after. */
function retainedBytes(build: () => unknown): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = build();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (held === undefined) throw new Error('nothing held');
  return after - before;
}

/** How many objects `ref` holds in `namespace`, from a one-item list (no watch, no full list). */
async function count(kube: KubeClient, ref: (typeof RESOURCES)[keyof typeof RESOURCES], namespace: string) {
  const page = (await kube.list(ref, { namespace, limit: 1 })) as {
    items: unknown[];
    metadata: { remainingItemCount?: number };
  };
  return page.items.length + (page.metadata.remainingItemCount ?? 0);
}

/** Every item of a list, page by page, as the apiserver sends them (managedFields included). */
async function listAll<T>(
  kube: KubeClient,
  ref: (typeof RESOURCES)[keyof typeof RESOURCES],
  namespace: string,
) {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await kube.list(ref, { namespace, limit: 500, continue: token });
    items.push(...(page.items as T[]));
    token = page.metadata.continue || undefined;
  } while (token);
  return items;
}

/** The operator's count of submissions that entered `phase`, from its /metrics. */
async function enteredPhase(port: number, phase: string): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const match = new RegExp(
      `^shazam_submission_time_to_phase_seconds_count\\{phase="${phase}"\\} (\\d+)`,
      'm',
    ).exec(text);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

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
    const namespaces = { ours: 'bench', peer: 'bench-peer', same: 'bench-same', empty: 'bench-empty' };
    for (const name of Object.values(namespaces)) {
      await kube.create({ group: '', version: 'v1', plural: 'namespaces' }, undefined, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      });
    }
    const etcdUrl = etcdUrlOf(plane.dataDir);
    const etcdBefore = await etcdBytesInUse(etcdUrl);
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
      leaderElection: { enabled: true, leaseNamespace: namespaces.ours, identity: 'bench-a' },
      server: { host: '127.0.0.1', metricsPort: port, healthPort: port },
      concurrency: { assetSubmission: CONCURRENCY },
      logLevel: 'warn',
    };
    parseOperatorConfig(config);
    writeFileSync(configPath, stringify(config));

    await compileOperator();
    await compileCommand('search-api/cli.ts');
    const operatorEnv = {
      KUBECONFIG: plane.kubeconfigPath,
      AWS_ACCESS_KEY_ID: s3Server.connection.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3Server.connection.secretAccessKey,
    };
    const started = performance.now();
    const child = await spawnOperator(configPath, operatorEnv);
    let jobsMs = 0;
    let statusMs = 0;
    let cutShort = false;
    while (statusMs === 0) {
      if (child.exitCode !== null) throw new Error(`the operator exited with ${child.exitCode}`);
      const elapsed = performance.now() - started;
      if (jobsMs === 0 && (await count(kube, RESOURCES.job, namespaces.ours)) >= n) jobsMs = elapsed;
      if ((await enteredPhase(port, 'Validating')) >= n) statusMs = performance.now() - started;
      else if (elapsed > TIMEOUT_MS) {
        cutShort = true;
        statusMs = elapsed;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (jobsMs === 0) jobsMs = statusMs;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const requests: Record<string, number> = {};
    for (const match of metrics.matchAll(/^shazam_kube_requests_total\{method="([A-Z]+)"\} (\d+)/gm)) {
      requests[match[1]!] = Number(match[2]);
    }
    const memory = memoryOf(child.pid!);
    const cpuSeconds = cpuSecondsOf(child.pid!);

    // A second replica over the same N: restart to ready (initial list as a standby, no writes), then the
    // hand-over when the leader stops and releases its Lease.
    const standbyPort = await freePort();
    const standbyPath = join(work, 'operator-b.yaml');
    writeFileSync(
      standbyPath,
      stringify({
        ...config,
        leaderElection: { ...config.leaderElection, identity: 'bench-b' },
        server: { host: '127.0.0.1', metricsPort: standbyPort, healthPort: standbyPort },
      }),
    );
    const standby = await spawnOperator(standbyPath, operatorEnv);
    const standbyReadyMs = await waitForOk(`http://127.0.0.1:${standbyPort}/readyz`, standby, TIMEOUT_MS);
    const standbyMemory = memoryOf(standby.pid!);
    const handoverStarted = performance.now();
    await stopProcess(child);
    let handoverMs = 0;
    while (handoverMs === 0) {
      const text = await (await fetch(`http://127.0.0.1:${standbyPort}/metrics`)).text();
      const done = Number(
        /^shazam_reconcile_total\{kind="AssetSubmission",result="success"\} (\d+)/m.exec(text)?.[1] ?? 0,
      );
      if (done >= n) handoverMs = performance.now() - handoverStarted;
      else if (performance.now() - handoverStarted > TIMEOUT_MS)
        throw new Error('the hand-over did not finish');
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await (async () => {
      const standbyIdle = performance.now();
      while (performance.now() - standbyIdle < 2000) await new Promise((resolve) => setTimeout(resolve, 250));
    })();
    const standbyMetrics = await (await fetch(`http://127.0.0.1:${standbyPort}/metrics`)).text();
    const standbyPosts = Number(
      /^shazam_kube_requests_total\{method="POST"\} (\d+)/m.exec(standbyMetrics)?.[1] ?? 0,
    );
    await stopProcess(standby);
    const jobsAfterHandover = await count(kube, RESOURCES.job, namespaces.ours);
    const etcdAfter = await etcdBytesInUse(etcdUrl);
    const events = await count(kube, RESOURCES.event, namespaces.ours);

    // The search API over the same N submissions: restart to ready and its memory.
    const searchPort = await freePort();
    const searchMetricsPort = await freePort();
    const search = await spawnCommand(
      'search-api/cli.ts',
      [
        '--port',
        String(searchPort),
        '--metrics-port',
        String(searchMetricsPort),
        '--kubeconfig',
        plane.kubeconfigPath,
        '--namespaces',
        namespaces.ours,
      ],
      {
        AWS_ENDPOINT_URL_S3: s3Server.connection.endpoint,
        AWS_REGION: s3Server.connection.region,
        SHAZAM_S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: s3Server.connection.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3Server.connection.secretAccessKey,
      },
    );
    const searchReadyMs = await waitForOk(`http://127.0.0.1:${searchPort}/readyz`, search, TIMEOUT_MS);
    const searchMemory = memoryOf(search.pid!);
    await stopProcess(search);

    // The same operator over an empty namespace: what its peak owes to the program, not the catalogue.
    const emptyPath = join(work, 'operator-empty.yaml');
    writeFileSync(
      emptyPath,
      stringify({ ...config, namespaces: ['bench-empty'], leaderElection: { enabled: false } }),
    );
    const empty = await spawnOperator(emptyPath, operatorEnv);
    await waitForOk(`http://127.0.0.1:${port}/readyz`, empty, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const emptyMemory = memoryOf(empty.pid!);
    await stopProcess(empty);
    const jobsDone = await count(kube, RESOURCES.job, namespaces.ours);
    const submissionsRaw = await listAll<AssetSubmission>(kube, RESOURCES.assetSubmission, namespaces.ours);
    const validatingDone = submissionsRaw.filter((s) => s.status?.phase === 'Validating').length;
    const jobsRaw = await listAll<Job>(kube, RESOURCES.job, namespaces.ours);
    // What a cache holds per submission: the objects as listed, and as the operator's transforms keep them.
    const rawText = JSON.stringify([submissionsRaw, jobsRaw]);
    const rawBytes = retainedBytes(() => JSON.parse(rawText));
    const slimBytes = retainedBytes(() => {
      const [subs, jobs] = JSON.parse(rawText) as [AssetSubmission[], Job[]];
      return [subs.map(OPERATOR_TRANSFORMS.AssetSubmission), jobs.map(OPERATOR_TRANSFORMS.Job)];
    });

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

    // Peer 2: the same requests the operator sent per submission (finalizer PATCH, S3 read of the result,
    // Job POST, status merge PATCH, Event POST), with the same bodies: the status and the Event are the
    // ones the operator wrote for the submission of the same name, issued directly with no informer, queue
    // or plan around them.
    const statusByName = new Map(submissionsRaw.map((s) => [s.metadata.name, s.status]));
    type EventBody = Record<string, unknown> & { involvedObject: Record<string, unknown> & { name: string } };
    const eventByName = new Map<string, EventBody>();
    for (const event of await listAll<EventBody>(kube, RESOURCES.event, namespaces.ours)) {
      if (!eventByName.has(event.involvedObject.name)) eventByName.set(event.involvedObject.name, event);
    }
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
      await kube.patch(
        RESOURCES.assetSubmission,
        namespaces.same,
        name,
        {
          metadata: { resourceVersion: patched.metadata.resourceVersion },
          status: statusByName.get(name) ?? { observedGeneration: 1, phase: 'Validating', message: 'bench' },
        },
        'merge',
        { subresource: 'status' },
      );
      const {
        metadata: _metadata,
        involvedObject,
        ...event
      } = eventByName.get(name) ?? {
        metadata: {},
        involvedObject: { apiVersion: sub.apiVersion, kind: sub.kind, name },
        type: 'Normal',
        reason: 'Validating',
        message: 'bench',
      };
      await kube.create({ group: '', version: 'v1', plural: 'events' }, namespaces.same, {
        ...event,
        metadata: { name: `${name}.bench`, namespace: namespaces.same },
        involvedObject: { ...involvedObject, namespace: namespaces.same, uid: patched.metadata.uid },
      } as unknown as KubernetesObject);
    });
    const sameMs = performance.now() - sameStarted;
    kube.close();
    s3.destroy();

    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    const writes = total - (requests.GET ?? 0);
    console.log(
      `N = ${n}${cutShort ? ` (cut short after ${seconds(TIMEOUT_MS)}: ${validatingDone} Validating)` : ''}`,
    );
    console.log(`  submissions created (setup, not timed):       ${seconds(createMs)}`);
    console.log(`  operator NODE_OPTIONS (its Deployment's)      ${operatorNodeOptions() || '(none)'}`);
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
      `  operator peak RSS (VmHWM)                     ${memory.peakMiB.toFixed(0)} MiB (RSS at the end ${memory.rssMiB.toFixed(0)} MiB; over an empty namespace: peak ${emptyMemory.peakMiB.toFixed(0)} MiB, so ${(((memory.peakMiB - emptyMemory.peakMiB) * 1024) / n).toFixed(1)} KiB of peak per submission)`,
    );
    console.log(`  operator CPU time (user + system)             ${cpuSeconds.toFixed(1)} s`);
    console.log(
      `  API requests per submission                   ${(total / n).toFixed(2)} (writes ${(writes / n).toFixed(2)}; ${JSON.stringify(requests)})`,
    );
    console.log(
      '  controller-runtime, same flow: 4 writes       (finalizer Update, Job Create, Status().Update, Event via the broadcaster)',
    );
    console.log(`  checked after the run: Jobs ${jobsDone}, Validating ${validatingDone}`);
    console.log(
      `  standby replica: restart to ready             ${seconds(standbyReadyMs)} (initial list of ${n} submissions + ${jobsDone} Jobs, no writes; RSS ${standbyMemory.rssMiB.toFixed(0)} MiB, peak ${standbyMemory.peakMiB.toFixed(0)} MiB)`,
    );
    console.log(
      `  hand-over: leader stopped → all reconciled    ${seconds(handoverMs)} (new leader's POSTs ${standbyPosts}; Jobs ${jobsAfterHandover} for ${n} submissions)`,
    );
    console.log(
      `  search API: restart to ready                  ${seconds(searchReadyMs)} (RSS ${searchMemory.rssMiB.toFixed(0)} MiB, peak ${searchMemory.peakMiB.toFixed(0)} MiB)`,
    );
    console.log(
      `  etcd in use (compacted, defragmented)         +${((etcdAfter - etcdBefore) / 1024 / 1024).toFixed(1)} MiB = ${((etcdAfter - etcdBefore) / n / 1024).toFixed(2)} KiB per submission (submission, validation Job, ${events} Events, Lease)`,
    );
    console.log(
      `  cache per submission (submission + its Job)   ${(rawBytes / n / 1024).toFixed(1)} KiB as listed → ${(slimBytes / n / 1024).toFixed(1)} KiB with the cache transforms`,
    );
  } finally {
    await s3Server.stop();
    await plane.stop();
    await rm(work, { recursive: true, force: true });
  }
}

for (const n of SIZES) await measure(n);
