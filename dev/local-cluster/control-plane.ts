import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ControlPlaneBinaries, ensureBinaries } from './binaries.ts';
import { type ControlPlaneCerts, generateCerts } from './certs.ts';
import { type ManagedProcess, startManagedProcess } from './managed-process.ts';
import { freePort, isAddressInUse } from './ports.ts';

/** A running etcd + kube-apiserver pair on loopback. */
export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  /** Admin kubeconfig (client certificate in system:masters), certificates embedded. */
  kubeconfigPath: string;
  dataDir: string;
  binaries: ControlPlaneBinaries;
  certs: ControlPlaneCerts;
  /** Process ids of etcd and of the running kube-apiserver (undefined while it is stopped), for benchmarks. */
  pids(): { etcd: number; apiserver: number | undefined };
  /** Stops the apiserver only (etcd keeps the data); `startApiserver` brings it back on the same port. */
  stopApiserver(): Promise<void>;
  startApiserver(): Promise<void>;
  /** Stops both processes and deletes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startControlPlane}. */
export interface StartControlPlaneOptions {
  /** Binaries to run; found or built by `ensureBinaries()` when unset. */
  binaries?: ControlPlaneBinaries;
  /** Extra kube-apiserver flags, appended after the harness's own (a later flag wins). */
  apiserverArgs?: string[];
  /** How long to wait for `/readyz`. */
  readyTimeoutMs?: number;
  /** Keep the data directory after `stop()` (for debugging). */
  keepDataDir?: boolean;
}

/** Raised when a server of the control plane exits or never becomes ready; the message carries its output. */
export class ControlPlaneStartError extends Error {
  override name = 'ControlPlaneStartError';
}

function probeReadyz(
  server: string,
  certs: ControlPlaneCerts,
  pem: { ca: Buffer; cert: Buffer; key: Buffer },
): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      `${server}/readyz`,
      { ca: pem.ca, cert: pem.cert, key: pem.key, timeout: 2000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
    void certs;
  });
}

async function waitUntilReady(
  process: ManagedProcess,
  isReady: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: number | string | undefined;
  void process.exited.then((code) => {
    exit = code;
  });
  while (Date.now() < deadline) {
    if (exit !== undefined) {
      throw new ControlPlaneStartError(
        `${process.name} exited (${exit}) before becoming ready:\n${process.tail(30)}`,
      );
    }
    if (await isReady()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new ControlPlaneStartError(
    `${process.name} was not ready after ${timeoutMs} ms; its last output:\n${process.tail(30)}`,
  );
}

function kubeconfigYaml(server: string, ca: Buffer, cert: Buffer, key: Buffer): string {
  const b64 = (data: Buffer) => data.toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: shazam-harness',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(ca)}`,
    'users:',
    '- name: shazam-admin',
    '  user:',
    `    client-certificate-data: ${b64(cert)}`,
    `    client-key-data: ${b64(key)}`,
    'contexts:',
    '- name: shazam-harness',
    '  context:',
    '    cluster: shazam-harness',
    '    user: shazam-admin',
    'current-context: shazam-harness',
    '',
  ].join('\n');
}

/**
 * Starts etcd and kube-apiserver as local processes on free loopback ports, with a fresh data directory,
 * a generated PKI and an admin kubeconfig, and waits until the apiserver's `/readyz` answers 200.
 *
 * Guarantees: a server that loses the race for its port (another process bound it between the choice and the
 * bind) is started again on new ports, up to three times; otherwise, if either process exits during start-up, this rejects at once with that process's own output
 * (a bad flag fails in about a second, not after a timeout); both processes die with this Node process.
 */
export async function startControlPlane(options: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = options.binaries ?? (await ensureBinaries());
  for (let attempt = 1; ; attempt++) {
    try {
      return await startControlPlaneOnce({ ...options, binaries });
    } catch (error) {
      if (!(error instanceof ControlPlaneStartError) || !isAddressInUse(error.message) || attempt >= 3)
        throw error;
    }
  }
}

async function startControlPlaneOnce(options: StartControlPlaneOptions): Promise<ControlPlane> {
  const binaries = options.binaries ?? (await ensureBinaries());
  const dataDir = await mkdtemp(join(tmpdir(), 'shazam-cp-'));
  const certs = await generateCerts(dataDir);
  const pem = {
    ca: await readFile(certs.caCert),
    cert: await readFile(certs.adminCert),
    key: await readFile(certs.adminKey),
  };
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;

  const etcd = startManagedProcess({
    name: 'etcd',
    command: binaries.etcd,
    args: [
      `--data-dir=${join(dataDir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      '--unsafe-no-fsync=true',
      '--quota-backend-bytes=8589934592',
      '--log-level=warn',
    ],
    logFile: join(dataDir, 'etcd.log'),
  });
  const stopAll: ManagedProcess[] = [etcd];
  try {
    await waitUntilReady(
      etcd,
      async () => {
        try {
          const res = await fetch(`${etcdUrl}/health`);
          return res.ok;
        } catch {
          return false;
        }
      },
      readyTimeoutMs,
    );
  } catch (error) {
    await etcd.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const apiserverArgs = [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${join(dataDir, 'apiserver-certs')}`,
    `--tls-cert-file=${certs.servingCert}`,
    `--tls-private-key-file=${certs.servingKey}`,
    `--client-ca-file=${certs.caCert}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${certs.serviceAccountPub}`,
    `--service-account-signing-key-file=${certs.serviceAccountKey}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    '--endpoint-reconciler-type=none',
    '--profiling=false',
    ...(options.apiserverArgs ?? []),
  ];
  let apiserver: ManagedProcess | undefined;
  const startApiserver = async () => {
    apiserver = startManagedProcess({
      name: 'kube-apiserver',
      command: binaries.kubeApiserver,
      args: apiserverArgs,
      logFile: join(dataDir, `kube-apiserver-${Date.now()}.log`),
    });
    stopAll.push(apiserver);
    await waitUntilReady(apiserver, () => probeReadyz(server, certs, pem), readyTimeoutMs);
  };
  try {
    await startApiserver();
  } catch (error) {
    await Promise.all(stopAll.map((p) => p.stop()));
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const kubeconfigPath = join(dataDir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfigYaml(server, pem.ca, pem.cert, pem.key), { mode: 0o600 });

  let stopped: Promise<void> | undefined;
  return {
    server,
    kubeconfigPath,
    dataDir,
    binaries,
    certs,
    pids: () => ({ etcd: etcd.pid, apiserver: apiserver?.pid }),
    stopApiserver: async () => {
      await apiserver?.stop();
      apiserver = undefined;
    },
    startApiserver,
    stop() {
      stopped ??= (async () => {
        await Promise.all(stopAll.filter((p) => p !== etcd).map((p) => p.stop()));
        await etcd.stop();
        if (!options.keepDataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
