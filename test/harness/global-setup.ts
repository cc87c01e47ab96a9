import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { applyCrds } from '../../dev/local-cluster/apply-crds.ts';
import { ensureBinaries } from '../../dev/local-cluster/binaries.ts';
import { startControlPlane } from '../../dev/local-cluster/control-plane.ts';
import { startS3Server } from '../../dev/local-cluster/s3-server.ts';
import type {} from './harness-info.ts';

const crdDir = fileURLToPath(new URL('../../crds', import.meta.url));

/**
 * Starts one control plane and one S3 server for the whole test run, applies the CRDs, and hands their
 * addresses to every test file. Stops both when the run ends, passes or fails.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const binaries = await ensureBinaries();
  const [startedControlPlane, startedS3] = await Promise.allSettled([
    startControlPlane({ binaries }),
    startS3Server(),
  ]);
  if (startedControlPlane.status === 'rejected' || startedS3.status === 'rejected') {
    // Stop whichever did start, so a failed setup leaves nothing running.
    if (startedControlPlane.status === 'fulfilled') await startedControlPlane.value.stop();
    if (startedS3.status === 'fulfilled') await startedS3.value.stop();
    throw startedControlPlane.status === 'rejected'
      ? startedControlPlane.reason
      : (startedS3 as PromiseRejectedResult).reason;
  }
  const controlPlane = startedControlPlane.value;
  const s3 = startedS3.value;
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
