import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { createS3Client, type S3ConnectionConfig } from '../../lib/storage/s3-client.ts';
import type { HarnessInfo } from './harness-info.ts';

export { ensureBinaries } from '../../dev/local-cluster/binaries.ts';
export { type ControlPlane, startControlPlane } from '../../dev/local-cluster/control-plane.ts';
export { type S3Server, startS3Server } from '../../dev/local-cluster/s3-server.ts';

/** What the global setup started for this run. */
export function harness(): HarnessInfo {
  const info = inject('shazamHarness');
  if (!info)
    throw new Error('the SHAZAM test harness is not running: run tests through `npm test` or `npx vitest`');
  return info;
}

/** Path of the admin kubeconfig of the shared control plane. */
export function kubeconfigPath(): string {
  return harness().kubeconfigPath;
}

/** An admin KubeConfig for the shared control plane. */
export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/** A DNS-label-safe unique name: `<prefix>-<8 hex>`. */
export function uniqueName(prefix: string): string {
  const safe = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `${safe}-${randomBytes(4).toString('hex')}`;
}

/** Creates a fresh namespace on the shared control plane and returns its name. */
export async function createNamespace(prefix = 'test'): Promise<string> {
  const name = uniqueName(prefix);
  await kubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name } } });
  return name;
}

/** Result of {@link kubectl}. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the harness's kubectl against the shared control plane (or `kubeconfig`), never throwing on exit codes. */
export function kubectl(
  args: string[],
  options: { input?: string; kubeconfig?: string } = {},
): Promise<KubectlResult> {
  const info = harness();
  return new Promise((resolve) => {
    const child = execFile(
      info.kubectlPath,
      ['--kubeconfig', options.kubeconfig ?? info.kubeconfigPath, ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Connection settings of the shared S3 server. */
export function s3Config(): S3ConnectionConfig & HarnessInfo['s3'] {
  return harness().s3;
}

/** A client for the shared S3 server. */
export function s3Client(): S3Client {
  return createS3Client(s3Config());
}

/** Creates a fresh bucket on the shared S3 server and returns its name. */
export async function createBucket(prefix = 'test'): Promise<string> {
  const name = uniqueName(prefix).slice(0, 63);
  const client = s3Client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
  return name;
}
