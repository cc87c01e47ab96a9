import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Kubernetes release the harness builds (kept in step with tools/kube/go.mod). */
export const KUBERNETES_VERSION = 'v1.36.3';

/** Paths of the three binaries the harness runs. */
export interface ControlPlaneBinaries {
  dir: string;
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  /** Where they came from, for the log line. */
  source: 'KUBEBUILDER_ASSETS' | 'cache' | 'built';
}

const NAMES = ['etcd', 'kube-apiserver', 'kubectl'] as const;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function inDir(dir: string, source: ControlPlaneBinaries['source']): ControlPlaneBinaries {
  return {
    dir,
    etcd: join(dir, 'etcd'),
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubectl: join(dir, 'kubectl'),
    source,
  };
}

function missingIn(dir: string): string[] {
  return NAMES.filter((name) => !isExecutable(join(dir, name)));
}

/** The cache directory binaries are built into: `$SHAZAM_CACHE_DIR` or `~/.cache/shazam`, then `k8s/<version>`. */
export function binaryCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.SHAZAM_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'shazam');
  return join(base, 'k8s', KUBERNETES_VERSION);
}

/** Raised when no binaries can be found or built; its message says what to install. */
export class BinariesUnavailableError extends Error {
  override name = 'BinariesUnavailableError';
}

function hasGo(): boolean {
  const path = process.env.PATH ?? '';
  return (
    path.split(':').some((dir) => dir !== '' && isExecutable(join(dir, 'go'))) ||
    existsSync('/usr/local/go/bin/go')
  );
}

/**
 * Finds etcd, kube-apiserver and kubectl, in this order: `$KUBEBUILDER_ASSETS` (the layout of
 * controller-runtime's setup-envtest), the cache directory, or a build from the Go modules in `tools/`
 * (scripts/build-k8s.sh, minutes the first time; progress goes to stderr).
 *
 * Caveats: a `KUBEBUILDER_ASSETS` directory missing one of the three is an error rather than a silent
 * fallback, so a misconfigured CI fails loudly.
 */
export async function ensureBinaries(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<ControlPlaneBinaries> {
  const assets = env.KUBEBUILDER_ASSETS;
  if (assets) {
    const missing = missingIn(assets);
    if (missing.length > 0) {
      throw new BinariesUnavailableError(
        `KUBEBUILDER_ASSETS=${assets} lacks ${missing.join(', ')}: point it at a directory holding etcd, kube-apiserver and kubectl, or unset it to use ${binaryCacheDir(env)}`,
      );
    }
    return inDir(assets, 'KUBEBUILDER_ASSETS');
  }
  const cache = binaryCacheDir(env);
  if (missingIn(cache).length === 0) return inDir(cache, 'cache');
  if (!hasGo()) {
    throw new BinariesUnavailableError(
      `No kube-apiserver, etcd and kubectl found (looked in KUBEBUILDER_ASSETS and ${cache}), and Go is not installed to build them. ` +
        'Install Go 1.26 or newer (https://go.dev/dl/, on PATH or in /usr/local/go), or set KUBEBUILDER_ASSETS to a directory ' +
        'holding those three binaries (e.g. from `setup-envtest use -p path`).',
    );
  }
  log(
    `[harness] building Kubernetes ${KUBERNETES_VERSION} binaries into ${cache}; the first build takes several minutes`,
  );
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [join(repoRoot, 'scripts/build-k8s.sh'), cache], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...env, PATH: `${env.PATH ?? ''}:/usr/local/go/bin` },
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new BinariesUnavailableError(
              `scripts/build-k8s.sh failed with exit code ${code}; its output is above`,
            ),
          ),
    );
  });
  log(`[harness] built Kubernetes binaries in ${Math.round((Date.now() - started) / 1000)} s`);
  return inDir(cache, 'built');
}
