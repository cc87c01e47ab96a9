/**
 * `npm run bench:operator-at-rest`: a catalogue of N published assets at rest (default 100,000;
 * `BENCH_AT_REST=2000` for a quick check) on a local control plane (real etcd + kube-apiserver, real S3
 * server), and what it costs the operator, the search API and etcd.
 *
 * The assets are CREATED DIRECTLY, not taken through the flow: for each, the AssetSubmission with its
 * finalizer and a Published status (status subresource), its RenderJob with a Succeeded status and its
 * QAReview with an Approved decision and status, the fields and owner references as the flow leaves them
 * (`publishedAsset` in `operator/test-support/published-asset.ts`, copied from a submission the operator published on the real apiserver).
 * Validation and render Jobs and Events are not created: they expire at rest (TTL, `--event-ttl`).
 * Objects are created with bounded concurrency (`BENCH_AT_REST_CONCURRENCY`, default 32) by two clients
 * whose user agents (`shazam` for what is committed, `shazam-operator` for children and status) give the
 * managed-fields entries the flow's objects carry. `BENCH_AT_REST_CREATE_S` bounds the creation: past it no
 * new asset is started and every figure is for the assets made (the output says so).
 *
 * Measured:
 *   - etcd's database in use after compaction and defragmentation, from etcd's own maintenance API, per
 *     published asset, and the projection for 1,000,000 assets against etcd's 2 GiB default quota and the
 *     8 GiB suggested maximum;
 *   - the operator's restart to ready over the catalogue (its initial lists) and its peak RSS, as a standby
 *     (the Lease is held by another identity, so it only lists): the run fails if it sends any write; and
 *     the same program over an empty namespace, for what the catalogue adds. Both run with the Deployment's
 *     NODE_OPTIONS; a standby that exits before ready (its heap limit) is reported as such and run again
 *     with `BENCH_AT_REST_LARGER_HEAP` (default `--max-old-space-size=4096 --max-semi-space-size=4`);
 *   - the search API's restart to ready and its RSS; its photo descriptors are NOT loaded (there are none
 *     in S3, so each load is skipped), so its figures are the catalogue's text and URL index only.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { RESOURCES } from '../controllers/resources.ts';
import { applyCrds } from '../dev/local-cluster/apply-crds.ts';
import { freePort } from '../dev/local-cluster/ports.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { loadKubeConfig } from '../lib/kube/kubeconfig.ts';
import type { KubeObject } from '../lib/kube/object.ts';
import { parseOperatorConfig } from '../operator/config.ts';
import { BUCKET, NAMESPACE, publishedAsset } from '../operator/test-support/published-asset.ts';
import {
  type ControlPlane,
  ensureBinaries,
  startControlPlane,
  startS3Server,
} from '../test/harness/index.ts';
import {
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
const N = Number(process.env.BENCH_AT_REST ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_AT_REST_CONCURRENCY ?? 32);
/** Creation stops taking new assets after this long (`BENCH_AT_REST_CREATE_S`); the figures are for those made. */
const CREATE_BUDGET_MS = Number(process.env.BENCH_AT_REST_CREATE_S ?? Number.POSITIVE_INFINITY) * 1000;
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Runs `fn` over 0..count-1, `concurrency` at a time, until `stop()` says so; returns how many ran. */
async function pool(
  count: number,
  concurrency: number,
  fn: (index: number) => Promise<void>,
  stop: () => boolean,
): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && !stop()) await fn(next++);
    }),
  );
  return next;
}

/** Creates asset `index`: six requests, each object created then its status written as the flow does. */
async function createAsset(committer: KubeClient, operator: KubeClient, index: number): Promise<number> {
  const asset = publishedAsset(index);
  const ns = NAMESPACE;
  const sub = await committer.create<KubeObject>(
    RESOURCES.assetSubmission,
    ns,
    asset.submission as KubeObject,
  );
  const uid = sub.metadata?.uid ?? '';
  type Ref = (typeof RESOURCES)[keyof typeof RESOURCES];
  const writeStatus = (ref: Ref, objectName: string, value: unknown) =>
    operator.patch(ref, ns, objectName, { status: value }, 'merge', { subresource: 'status' });
  const createWithStatus = async (ref: Ref, object: { metadata: { name: string } }, value: unknown) => {
    await operator.create(ref, ns, object as KubeObject);
    await writeStatus(ref, object.metadata.name, value);
  };
  const writes = [
    writeStatus(RESOURCES.assetSubmission, asset.submission.metadata.name, asset.submissionStatus),
    createWithStatus(RESOURCES.renderJob, asset.renderJob(uid), asset.renderJobStatus),
    createWithStatus(RESOURCES.qaReview, asset.review(uid), asset.reviewStatus),
  ];
  await Promise.all(writes);
  return 6;
}

async function count(kube: KubeClient, ref: (typeof RESOURCES)[keyof typeof RESOURCES]): Promise<number> {
  const page = (await kube.list(ref, { namespace: NAMESPACE, limit: 1 })) as {
    items: unknown[];
    metadata: { remainingItemCount?: number };
  };
  return page.items.length + (page.metadata.remainingItemCount ?? 0);
}

/** Bytes of each object of asset 0 as stored (JSON with managedFields). */
async function storedSizes(kube: KubeClient): Promise<Record<string, number>> {
  const asset = publishedAsset(0);
  const name = asset.submission.metadata.name;
  const child = `${name}-r1`;
  const size = async (ref: (typeof RESOURCES)[keyof typeof RESOURCES], n: string) =>
    JSON.stringify(await kube.get(ref, NAMESPACE, n)).length;
  return {
    AssetSubmission: await size(RESOURCES.assetSubmission, name),
    QAReview: await size(RESOURCES.qaReview, child),
    RenderJob: await size(RESOURCES.renderJob, child),
  };
}

function writesOf(metrics: string): number {
  let writes = 0;
  for (const match of metrics.matchAll(/^shazam_kube_requests_total\{method="([A-Z]+)"\} (\d+)/gm)) {
    if (match[1] !== 'GET') writes += Number(match[2]);
  }
  return writes;
}

/** RSS and peak RSS of the control plane's processes, and the host's memory in use. */
function controlPlaneMemory(plane: ControlPlane): string {
  const pids = plane.pids();
  const gib = (pid: number) => {
    const memory = memoryOf(pid);
    return `RSS ${(memory.rssMiB / 1024).toFixed(2)} GiB, peak ${(memory.peakMiB / 1024).toFixed(2)} GiB`;
  };
  const apiserver = pids.apiserver ? gib(pids.apiserver) : 'not running';
  return `kube-apiserver ${apiserver}; etcd ${gib(pids.etcd)}; host ${hostMemory()}`;
}

/** The host's memory in use, of its total. */
function hostMemory(): string {
  return `${((totalmem() - freemem()) / GiB).toFixed(1)} of ${(totalmem() / GiB).toFixed(1)} GiB in use`;
}

/** `uptime`'s load averages, for the record beside each figure. */
function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** What one operator start gave: ready (with its figures) or the exit that ended it first. */
type RestartOutcome =
  | { ready: true; readyMs: number; memory: { peakMiB: number; rssMiB: number }; writes: number }
  | { ready: false; afterMs: number; exit: string; peakMiB: number };

/**
 * Starts `shazam operator` with `config` and `nodeOptions`, waits for /readyz and returns its figures 5 s
 * later; if it exits first (a heap limit, say), returns how and its last sampled peak instead of throwing.
 */
async function operatorRestart(
  work: string,
  name: string,
  config: object,
  env: NodeJS.ProcessEnv,
  nodeOptions: string,
): Promise<RestartOutcome> {
  const port = await freePort();
  const path = join(work, `${name}.yaml`);
  const full = { ...config, server: { host: '127.0.0.1', metricsPort: port, healthPort: port } };
  parseOperatorConfig(full);
  writeFileSync(path, stringify(full));
  const child = await spawnOperator(path, { ...env, NODE_OPTIONS: nodeOptions });
  const started = performance.now();
  let peakMiB = 0;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const exit = child.signalCode ?? `exit code ${child.exitCode}`;
        return { ready: false, afterMs: performance.now() - started, exit, peakMiB };
      }
      try {
        peakMiB = memoryOf(child.pid!).peakMiB;
      } catch {
        // exited between the check and the read; the next turn says how
      }
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() - started > 30 * 60_000) throw new Error(`${name}: not ready after 30 min`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const readyMs = performance.now() - started;
    // Past ready: the informers' first resync and any pass a leader would run have had time to start.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const memory = memoryOf(child.pid!);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return { ready: true, readyMs, memory, writes: writesOf(metrics) };
  } finally {
    await stopProcess(child);
  }
}

function describeRestart(outcome: RestartOutcome, nodeOptions: string): string {
  if (!outcome.ready) {
    return `NOT READY: ${outcome.exit} after ${seconds(outcome.afterMs)} (last sampled peak RSS ${outcome.peakMiB.toFixed(0)} MiB) with NODE_OPTIONS ${nodeOptions}`;
  }
  return `${seconds(outcome.readyMs)}, writes ${outcome.writes}; peak RSS ${outcome.memory.peakMiB.toFixed(0)} MiB, RSS ${outcome.memory.rssMiB.toFixed(0)} MiB (NODE_OPTIONS ${nodeOptions})`;
}

async function main(): Promise<void> {
  console.log(
    `bench:operator-at-rest: ${N.toLocaleString('en')} published assets CREATED DIRECTLY (submission + QAReview + RenderJob, each with its status), concurrency ${CONCURRENCY}; load ${loadAverage()}`,
  );
  const binaries = await ensureBinaries();
  const plane = await startControlPlane({ binaries });
  const s3Server = await startS3Server();
  const work = await mkdtemp(join(tmpdir(), 'shazam-bench-at-rest-'));
  try {
    await applyCrds(binaries.kubectl, plane.kubeconfigPath, join(ROOT, 'crds'));
    const kubeConfig = loadKubeConfig({ path: plane.kubeconfigPath });
    const committer = new KubeClient(kubeConfig, { userAgent: 'shazam' });
    const operator = new KubeClient(kubeConfig, { userAgent: 'shazam-operator' });
    for (const name of [NAMESPACE, 'empty']) {
      await committer.create({ group: '', version: 'v1', plural: 'namespaces' }, undefined, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      });
    }
    // Another replica leads: the operator measured below is a standby and only lists.
    const now = new Date().toISOString().replace('Z', '000Z');
    await committer.create(RESOURCES.lease, NAMESPACE, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'shazam-operator', namespace: NAMESPACE },
      spec: {
        holderIdentity: 'leader-elsewhere',
        leaseDurationSeconds: 3600,
        acquireTime: now,
        renewTime: now,
      },
    } as KubeObject);
    const etcdUrl = etcdUrlOf(plane.dataDir);
    const etcdBefore = await etcdBytesInUse(etcdUrl);

    const started = performance.now();
    let done = 0;
    let requests = 0;
    let lastReport = started;
    const made = await pool(
      N,
      CONCURRENCY,
      async (index) => {
        const sent = await createAsset(committer, operator, index);
        requests += sent;
        done++;
        const now = performance.now();
        if (now - lastReport > 15_000 || done === N) {
          lastReport = now;
          const rate = done / ((now - started) / 1000);
          console.log(
            `  created ${done.toLocaleString('en')}/${N.toLocaleString('en')} assets in ${seconds(now - started)} (${rate.toFixed(0)}/s, ${(rate * 6).toFixed(0)} requests/s, ${seconds(((N - done) / rate) * 1000)} left; load ${loadAverage()})`,
          );
        }
      },
      () => performance.now() - started > CREATE_BUDGET_MS,
    );
    const createMs = performance.now() - started;
    const cut =
      made < N
        ? ` (BENCH_AT_REST_CREATE_S=${CREATE_BUDGET_MS / 1000} reached: ${made.toLocaleString('en')} of ${N.toLocaleString('en')} made)`
        : '';
    const counts = {
      AssetSubmission: await count(committer, RESOURCES.assetSubmission),
      QAReview: await count(committer, RESOURCES.qaReview),
      RenderJob: await count(committer, RESOURCES.renderJob),
    };
    if (Object.values(counts).some((value) => value !== made)) {
      throw new Error(`expected ${made} of each kind, found ${JSON.stringify(counts)}`);
    }
    const sizes = await storedSizes(committer);
    const etcdAfter = await etcdBytesInUse(etcdUrl);
    const perAsset = (etcdAfter - etcdBefore) / made;
    console.log(`  created in ${seconds(createMs)} (${requests} requests); load ${loadAverage()}`);
    console.log(`  control plane after creation                   ${controlPlaneMemory(plane)}`);

    const assetsWithin = (quota: number) => Math.floor((quota - etcdBefore) / perAsset);
    const million = etcdBefore + 1_000_000 * perAsset;
    console.log(
      `N = ${made.toLocaleString('en')} published assets at rest (created directly, not through the flow)${cut}`,
    );
    console.log(
      `  objects                                        ${JSON.stringify(counts)}; asset 0 as stored (JSON with managedFields): ${JSON.stringify(sizes)} bytes`,
    );
    console.log(
      `  etcd in use (compacted, defragmented)          ${mib(etcdBefore)} empty → ${mib(etcdAfter)}: ${(perAsset / 1024).toFixed(2)} KiB per published asset`,
    );
    console.log(
      `  projection, 1,000,000 assets                   ${(million / GiB).toFixed(2)} GiB; the 2 GiB default quota holds ${assetsWithin(2 * GiB).toLocaleString('en')} assets, the 8 GiB maximum ${assetsWithin(8 * GiB).toLocaleString('en')}`,
    );

    const config = {
      namespaces: [NAMESPACE],
      s3: {
        endpoint: s3Server.connection.endpoint,
        region: s3Server.connection.region,
        forcePathStyle: true,
        assetsBucket: BUCKET,
        incomingBucket: 'bench-incoming',
      },
      leaderElection: { enabled: true, leaseNamespace: NAMESPACE, identity: 'at-rest-standby' },
      logLevel: 'warn',
    };
    const env = {
      KUBECONFIG: plane.kubeconfigPath,
      AWS_ACCESS_KEY_ID: s3Server.connection.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3Server.connection.secretAccessKey,
    };
    const deployment = operatorNodeOptions();
    const emptyConfig = {
      ...config,
      namespaces: ['empty'],
      leaderElection: { ...config.leaderElection, leaseNamespace: 'empty' },
    };
    const empty = await operatorRestart(work, 'empty', emptyConfig, env, deployment);
    console.log(`  operator over an empty namespace               ${describeRestart(empty, deployment)}`);
    let failedWrites = 0;
    const standbyRun = async (nodeOptions: string) => {
      const before = loadAverage();
      const outcome = await operatorRestart(work, 'standby', config, env, nodeOptions);
      const perAssetPeak =
        outcome.ready && empty.ready
          ? `, ${(((outcome.memory.peakMiB - empty.memory.peakMiB) * 1024) / made).toFixed(2)} KiB of peak per asset over the empty namespace's`
          : '';
      console.log(
        `  operator (standby) restart to ready            ${describeRestart(outcome, nodeOptions)}${perAssetPeak}; load ${before} → ${loadAverage()}`,
      );
      if (outcome.ready && outcome.writes !== 0) failedWrites += outcome.writes;
      return outcome;
    };
    const standby = await standbyRun(deployment);
    const larger =
      process.env.BENCH_AT_REST_LARGER_HEAP ?? '--max-old-space-size=4096 --max-semi-space-size=4';
    // Past the Deployment's heap: how much the same restart needs.
    if (!standby.ready) await standbyRun(larger);

    const searchPort = await freePort();
    const search = await spawnCommand(
      'search-api/cli.ts',
      [
        '--port',
        String(searchPort),
        '--metrics-port',
        String(await freePort()),
        '--kubeconfig',
        plane.kubeconfigPath,
        '--namespaces',
        NAMESPACE,
        '--log-level',
        'error',
      ],
      {
        AWS_ENDPOINT_URL_S3: s3Server.connection.endpoint,
        AWS_REGION: s3Server.connection.region,
        SHAZAM_S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: s3Server.connection.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3Server.connection.secretAccessKey,
      },
    );
    const loadBeforeSearch = loadAverage();
    const searchReadyMs = await waitForOk(`http://127.0.0.1:${searchPort}/readyz`, search, 30 * 60_000);
    const searchMemory = memoryOf(search.pid!);
    await stopProcess(search);
    console.log(
      `  search API restart to ready                    ${seconds(searchReadyMs)}; RSS ${searchMemory.rssMiB.toFixed(0)} MiB, peak ${searchMemory.peakMiB.toFixed(0)} MiB (photo descriptors not loaded: none in S3; load ${loadBeforeSearch} → ${loadAverage()})`,
    );
    console.log(`  control plane after the restarts               ${controlPlaneMemory(plane)}`);
    committer.close();
    operator.close();
    if (failedWrites > 0) {
      console.log(`  FAILED: the standby operator sent ${failedWrites} writes; a restart must send none`);
      process.exitCode = 1;
    }
  } finally {
    await s3Server.stop();
    await plane.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
