import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBERNETES_VERSION } from '../local-cluster/binaries.ts';

/** Paths of what the local node runs; CNI plugins are Debian's. */
export interface NodeBinaries {
  dir: string;
  kubelet: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  containerd: string;
  ctr: string;
  runc: string;
  /** OCI archive of the sandbox ("pause") image, tagged {@link PAUSE_IMAGE}. */
  pauseArchive: string;
  cniBinDir: string;
  source: 'cache' | 'built';
}

/** Reference of the sandbox image packed by tools/pause. */
export const PAUSE_IMAGE = 'shazam.local/pause:1';

const FILES = [
  'kubelet',
  'kube-controller-manager',
  'kube-scheduler',
  'containerd',
  'containerd-shim-runc-v2',
  'ctr',
  'runc',
  'pause.oci.tar',
] as const;
const CNI_DIR = '/usr/lib/cni';
const CNI_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'];
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function present(path: string, executable: boolean): boolean {
  try {
    accessSync(path, executable ? constants.X_OK : constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** `$SHAZAM_CACHE_DIR` or `~/.cache/shazam`, then `node/<kubernetes version>`. */
export function nodeBinaryCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.SHAZAM_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'shazam');
  return join(base, 'node', KUBERNETES_VERSION);
}

/** Names of the node's files missing from `dir` (and of missing CNI plugins). */
export function missingNodeFiles(dir: string): string[] {
  const missing: string[] = FILES.filter((name) => !present(join(dir, name), !name.endsWith('.tar')));
  for (const plugin of CNI_PLUGINS) {
    if (!present(join(CNI_DIR, plugin), true)) missing.push(`${CNI_DIR}/${plugin}`);
  }
  return missing;
}

function inDir(dir: string, source: NodeBinaries['source']): NodeBinaries {
  return {
    dir,
    kubelet: join(dir, 'kubelet'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubeScheduler: join(dir, 'kube-scheduler'),
    containerd: join(dir, 'containerd'),
    ctr: join(dir, 'ctr'),
    runc: join(dir, 'runc'),
    pauseArchive: join(dir, 'pause.oci.tar'),
    cniBinDir: CNI_DIR,
    source,
  };
}

/**
 * Finds the node's binaries in the cache, or builds them with scripts/build-node.sh (Go modules in tools/;
 * minutes the first time, progress on stderr). CNI plugins must come from Debian's
 * containernetworking-plugins (scripts/setup.sh installs it).
 */
export async function ensureNodeBinaries(env: NodeJS.ProcessEnv = process.env): Promise<NodeBinaries> {
  const cache = nodeBinaryCacheDir(env);
  const missing = missingNodeFiles(cache);
  if (missing.length === 0) return inDir(cache, 'cache');
  const cniMissing = missing.filter((name) => name.startsWith(CNI_DIR));
  if (cniMissing.length > 0) {
    throw new Error(
      `CNI plugins missing: ${cniMissing.join(', ')}; install Debian's containernetworking-plugins (scripts/setup.sh does)`,
    );
  }
  if (
    !existsSync('/usr/local/go/bin/go') &&
    !(env.PATH ?? '').split(':').some((d) => present(join(d, 'go'), true))
  ) {
    throw new Error(
      `node binaries missing in ${cache} (${missing.join(', ')}) and Go is not installed to build them`,
    );
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [join(repoRoot, 'scripts/build-node.sh'), cache], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...env, PATH: `${env.PATH ?? ''}:/usr/local/go/bin` },
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`scripts/build-node.sh failed with exit code ${code}`)),
    );
  });
  return inDir(cache, 'built');
}
