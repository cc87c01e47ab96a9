import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ControlPlane } from '../local-cluster/control-plane.ts';
import { type ManagedProcess, startManagedProcess } from '../local-cluster/managed-process.ts';
import { freePort } from '../local-cluster/ports.ts';
import { ensureNodeBinaries, type NodeBinaries, PAUSE_IMAGE } from './binaries.ts';
import { cniConfig, containerdConfig, kubeletConfig, POD_NETWORK } from './config.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const run = promisify(execFile);

/** A kubelet with containerd and runc, plus kube-controller-manager and kube-scheduler, on this host. */
export interface LocalNode {
  nodeName: string;
  /** The host's address on the pod bridge: what pods dial to reach {@link LocalNodeOptions.forwards}. */
  gateway: string;
  binaries: NodeBinaries;
  dataDir: string;
  /** Imports an OCI archive into the CRI's image store (`ctr -n k8s.io images import`). */
  importImage(archive: string): Promise<void>;
  /** Stops everything, pods included, and removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface LocalNodeOptions {
  controlPlane: ControlPlane;
  nodeName?: string;
  /** TCP forwards from `gateway:port` to loopback servers (e.g. the apiserver, the S3 server). */
  forwards?: { port: number; target: { host: string; port: number } }[];
  readyTimeoutMs?: number;
}

async function ensureBridge(): Promise<void> {
  const { bridge, gateway, prefixLength } = POD_NETWORK;
  try {
    await run('ip', ['link', 'show', bridge]);
  } catch {
    await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  }
  const { stdout } = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', bridge]);
  if (!stdout.includes(`${gateway}/`))
    await run('ip', ['addr', 'add', `${gateway}/${prefixLength}`, 'dev', bridge]);
  await run('ip', ['link', 'set', bridge, 'up']);
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  tail: () => string,
  failure: () => string | undefined,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const failed = failure();
    if (failed) throw new Error(`${what} did not start: ${failed}`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms:\n${tail()}`);
}

/** Network namespaces the CRI's CNI set-up names `cni-<uuid>` (containerd's convention). */
async function cniNetworkNamespaces(): Promise<Set<string>> {
  const names = await readdir('/run/netns').catch(() => [] as string[]);
  return new Set(names.filter((name) => name.startsWith('cni-')));
}

async function unmountUnder(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point?.startsWith(`${dir}/`) ?? false)
    .sort((a, b) => b.length - a.length);
  for (const point of points) await run('umount', ['-l', point]).catch(() => undefined);
}

/**
 * Starts a node against `controlPlane`: containerd (own root, state and socket; runc from tools/runc on
 * cgroupfs; CNI bridge `shazam0`), a kubelet registering `nodeName`, kube-controller-manager (Job, GC,
 * ServiceAccount and node lifecycle controllers among others) and kube-scheduler, then waits for the Node to be
 * Ready. The sandbox image is imported first; import the workload images with `importImage`.
 *
 * Caveats: needs root (bridge, mounts, cgroups). The control plane must run with
 * `--kubelet-preferred-address-types=InternalIP`. One node per host at a time (the bridge is shared).
 */
export async function startLocalNode(options: LocalNodeOptions): Promise<LocalNode> {
  const { controlPlane } = options;
  const nodeName = options.nodeName ?? 'shazam-node';
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  const binaries = await ensureNodeBinaries();
  const dataDir = await mkdtemp('/tmp/shazam-node-');
  const dirs = {
    root: join(dataDir, 'containerd/root'),
    state: join(dataDir, 'containerd/state'),
    cniConf: join(dataDir, 'cni/net.d'),
    ipam: join(dataDir, 'cni/ipam'),
    kubelet: join(dataDir, 'kubelet'),
  };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  const address = join(dataDir, 'containerd/containerd.sock');
  const env = { ...process.env, PATH: `${binaries.dir}:${process.env.PATH ?? ''}` };
  const processes: ManagedProcess[] = [];
  const namespacesBefore = await cniNetworkNamespaces();
  const proxies: TcpProxy[] = [];
  const ctr = (args: string[]) =>
    run(binaries.ctr, ['--address', address, '--namespace', 'k8s.io', ...args], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
  const kubectl = (args: string[]) =>
    run(controlPlane.binaries.kubectl, ['--kubeconfig', controlPlane.kubeconfigPath, ...args]);

  let stopped: Promise<void> | undefined;
  const exits: string[] = [];
  const watch = (p: ManagedProcess) => {
    processes.push(p);
    void p.exited.then((code) => {
      if (!stopped) exits.push(`${p.name} exited (${code}):\n${p.tail(40)}`);
    });
  };
  const earlyExit = () => exits[0];
  const stop = () => {
    stopped ??= (async () => {
      const kubelet = processes.find((p) => p.name === 'kubelet');
      if (kubelet) {
        // Let the kubelet tear the pods down (sandboxes, network namespaces) before it stops.
        await kubectl([
          'delete',
          'pods',
          '--all-namespaces',
          '--all',
          '--grace-period=0',
          '--force',
          '--wait=false',
        ]).catch(() => undefined);
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
          const { stdout } = await ctr(['tasks', 'ls', '-q']).catch(() => ({ stdout: '' }));
          if (stdout.trim() === '') break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      for (const name of ['kubelet', 'kube-scheduler', 'kube-controller-manager']) {
        await processes.find((p) => p.name === name)?.stop();
      }
      const { stdout: tasks } = await ctr(['tasks', 'ls', '-q']).catch(() => ({ stdout: '' }));
      for (const id of tasks.split('\n').filter(Boolean)) {
        await ctr(['tasks', 'kill', '--all', '--signal', 'SIGKILL', id]).catch(() => undefined);
        await ctr(['tasks', 'delete', '--force', id]).catch(() => undefined);
      }
      await processes.find((p) => p.name === 'containerd')?.stop();
      // Sandboxes the kubelet had no time to tear down leave their network namespace (and veth) behind.
      for (const name of await cniNetworkNamespaces()) {
        if (!namespacesBefore.has(name)) await run('ip', ['netns', 'delete', name]).catch(() => undefined);
      }
      await Promise.all(proxies.map((proxy) => proxy.close()));
      await unmountUnder(dataDir);
      await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    })();
    return stopped;
  };

  try {
    await ensureBridge();
    for (const forward of options.forwards ?? []) {
      proxies.push(await startTcpProxy({ host: POD_NETWORK.gateway, port: forward.port }, forward.target));
    }
    await writeFile(join(dirs.cniConf, '10-shazam.conflist'), cniConfig(dirs.ipam));
    const containerdToml = join(dataDir, 'containerd/config.toml');
    await writeFile(
      containerdToml,
      containerdConfig({
        root: dirs.root,
        state: dirs.state,
        address,
        runc: binaries.runc,
        cniBinDir: binaries.cniBinDir,
        cniConfDir: dirs.cniConf,
        sandboxImage: PAUSE_IMAGE,
      }),
    );
    const containerd = startManagedProcess({
      name: 'containerd',
      command: binaries.containerd,
      args: ['--config', containerdToml, '--log-level', 'warn'],
      env,
      logFile: join(dataDir, 'containerd.log'),
    });
    watch(containerd);
    await waitFor(
      'containerd',
      async () => existsSync(address) && (await ctr(['version'])) !== undefined,
      30_000,
      () => containerd.tail(30),
      earlyExit,
    );
    await ctr(['images', 'import', '--platform', 'linux/amd64', binaries.pauseArchive]);

    const [kubeletPort, healthzPort, kcmPort, schedulerPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const kubeletYaml = join(dataDir, 'kubelet.json');
    await writeFile(
      kubeletYaml,
      kubeletConfig({ runtimeEndpoint: `unix://${address}`, port: kubeletPort, healthzPort }),
    );
    const kubeconfig = controlPlane.kubeconfigPath;
    const { certs } = controlPlane;
    watch(
      startManagedProcess({
        name: 'kube-controller-manager',
        command: binaries.kubeControllerManager,
        args: [
          `--kubeconfig=${kubeconfig}`,
          `--authentication-kubeconfig=${kubeconfig}`,
          `--authorization-kubeconfig=${kubeconfig}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${kcmPort}`,
          '--leader-elect=false',
          `--service-account-private-key-file=${certs.serviceAccountKey}`,
          `--root-ca-file=${certs.caCert}`,
          `--cluster-signing-cert-file=${certs.caCert}`,
          `--cluster-signing-key-file=${certs.caKey}`,
          '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route',
          '--concurrent-gc-syncs=5',
        ],
        logFile: join(dataDir, 'kube-controller-manager.log'),
      }),
    );
    watch(
      startManagedProcess({
        name: 'kube-scheduler',
        command: binaries.kubeScheduler,
        args: [
          `--kubeconfig=${kubeconfig}`,
          `--authentication-kubeconfig=${kubeconfig}`,
          `--authorization-kubeconfig=${kubeconfig}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${schedulerPort}`,
          '--leader-elect=false',
        ],
        logFile: join(dataDir, 'kube-scheduler.log'),
      }),
    );
    const kubelet = startManagedProcess({
      name: 'kubelet',
      command: binaries.kubelet,
      args: [
        `--config=${kubeletYaml}`,
        `--kubeconfig=${kubeconfig}`,
        `--root-dir=${dirs.kubelet}`,
        `--cert-dir=${join(dirs.kubelet, 'pki')}`,
        `--hostname-override=${nodeName}`,
        '--v=1',
      ],
      env,
      logFile: join(dataDir, 'kubelet.log'),
    });
    watch(kubelet);
    await waitFor(
      `node ${nodeName}`,
      async () => {
        const { stdout } = await kubectl([
          'get',
          'node',
          nodeName,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]);
        return stdout.trim() === 'True';
      },
      readyTimeoutMs,
      () => `kubelet:\n${kubelet.tail(40)}`,
      earlyExit,
    );
    return {
      nodeName,
      gateway: POD_NETWORK.gateway,
      binaries,
      dataDir,
      importImage: async (archive) => {
        await ctr(['images', 'import', '--platform', 'linux/amd64', archive]);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
