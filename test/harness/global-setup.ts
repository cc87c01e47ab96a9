import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { applyCrds } from './apply-crds.ts';
import { ensureBinaries } from './binaries.ts';
import { startControlPlane } from './control-plane.ts';
import type {} from './harness-info.ts';
import { startS3Server } from './s3-server.ts';

const crdDir = fileURLToPath(new URL('../../crds', import.meta.url));

/**
 * Starts one control plane and one S3 server for the whole test run, applies the CRDs, and hands their
 * addresses to every test file. Stops both when the run ends, passes or fails.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const binaries = await ensureBinaries();
  const [controlPlane, s3] = await Promise.all([startControlPlane({ binaries }), startS3Server()]);
  const stop = async () => {
    await Promise.all([controlPlane.stop(), s3.stop()]);
  };
  try {
    const crds = await applyCrds(binaries.kubectl, controlPlane.kubeconfigPath, crdDir);
    process.stderr.write(
      `[harness] kube-apiserver ${controlPlane.server} (binaries from ${binaries.source}), S3 ${s3.connection.endpoint}, ` +
        `${crds.length} CRDs applied, ready in ${Date.now() - started} ms\n`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide('shazamHarness', {
    kubeconfigPath: controlPlane.kubeconfigPath,
    server: controlPlane.server,
    kubectlPath: binaries.kubectl,
    binariesDir: binaries.dir,
    s3: s3.connection,
  });
  return stop;
}
