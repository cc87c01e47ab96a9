import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Applies every `crds/*.yaml` of the repository with server-side apply and waits until each CRD is
 * Established, so tests can create custom resources at once. Does nothing when there are none.
 */
export async function applyCrds(kubectl: string, kubeconfigPath: string, crdDir: string): Promise<string[]> {
  const files = (await readdir(crdDir).catch(() => [] as string[])).filter((f) => f.endsWith('.yaml')).sort();
  if (files.length === 0) return [];
  const args = ['--kubeconfig', kubeconfigPath];
  const names: string[] = [];
  for (const file of files) {
    const { stdout } = await run(kubectl, [
      ...args,
      'apply',
      '--server-side',
      '--force-conflicts',
      '-o',
      'name',
      '-f',
      join(crdDir, file),
    ]);
    names.push(...stdout.split('\n').filter(Boolean));
  }
  await run(kubectl, [...args, 'wait', '--for=condition=Established', '--timeout=60s', ...names]);
  await waitForOpenApi(kubectl, args, names);
  return names;
}

/**
 * Waits until kubectl can explain every CRD: the apiserver publishes a CRD's OpenAPI schema a moment after
 * it is Established, and a test's first `kubectl explain` must not race that.
 */
async function waitForOpenApi(kubectl: string, args: string[], names: string[]): Promise<void> {
  const resources = names.map((name) =>
    name.replace(/^customresourcedefinition\.apiextensions\.k8s\.io\//, ''),
  );
  const deadline = Date.now() + 30_000;
  for (const resource of resources) {
    for (;;) {
      try {
        await run(kubectl, [...args, 'explain', resource]);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}
