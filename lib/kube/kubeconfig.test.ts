import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeError } from './errors.ts';
import { loadKubeConfig } from './kubeconfig.ts';

function kubeconfigYaml(server: string, context = 'ctx'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: c-${context}, cluster: {server: '${server}'}}]`,
    `users: [{name: u-${context}, user: {token: abc}}]`,
    `contexts: [{name: ${context}, context: {cluster: c-${context}, user: u-${context}}}]`,
    `current-context: ${context}`,
    '',
  ].join('\n');
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kubeconfig-test-'));
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof KubeError ? error.code : String(error);
  }
  return 'no error';
};

describe('loadKubeConfig', () => {
  it('loads an explicit path and selects a context', async () => {
    const dir = await tempDir();
    const path = join(dir, 'config');
    await writeFile(path, kubeconfigYaml('https://one.example:6443'));
    expect(loadKubeConfig({ path }).getCurrentCluster()?.server).toBe('https://one.example:6443');
    expect(() => loadKubeConfig({ path, context: 'missing' })).toThrow(
      /context "missing" does not exist; known contexts: ctx/,
    );
  });

  it('merges the files of $KUBECONFIG, the first file naming the current context', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a'), kubeconfigYaml('https://a.example', 'a'));
    await writeFile(join(dir, 'b'), kubeconfigYaml('https://b.example', 'b'));
    const env = { KUBECONFIG: `${join(dir, 'a')}:${join(dir, 'b')}` };
    expect(loadKubeConfig({ env }).getCurrentCluster()?.server).toBe('https://a.example');
    expect(loadKubeConfig({ env, context: 'b' }).getCurrentCluster()?.server).toBe('https://b.example');
  });

  it('falls back to ~/.kube/config', async () => {
    const home = await tempDir();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(home, '.kube'));
    await writeFile(join(home, '.kube', 'config'), kubeconfigYaml('https://home.example'));
    expect(loadKubeConfig({ env: {}, homeDir: home }).getCurrentCluster()?.server).toBe(
      'https://home.example',
    );
  });

  it.each([
    // nothing anywhere: say so instead of defaulting to localhost:8080
    ['no source at all', { env: {} }, 'KUBE_CONFIG_NOT_FOUND'],
    // a path that is not there
    ['a missing path', { path: '/nonexistent/kubeconfig' }, 'KUBE_CONFIG_NOT_FOUND'],
    // in-cluster outside a pod
    [
      'in-cluster without a pod',
      { inCluster: true, env: {}, tokenPath: '/nonexistent/token' },
      'KUBE_CONFIG_NOT_FOUND',
    ],
  ])('fails clearly with %s', async (_what, options, code) => {
    const home = await tempDir();
    expect(codeOf(() => loadKubeConfig({ homeDir: home, ...options }))).toBe(code);
  });

  it('rejects a file that is not a kubeconfig, and one without a server', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'garbage'), ': not: yaml: [');
    expect(codeOf(() => loadKubeConfig({ path: join(dir, 'garbage') }))).toBe('KUBE_CONFIG_INVALID');
    await writeFile(
      join(dir, 'empty'),
      'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n',
    );
    expect(codeOf(() => loadKubeConfig({ path: join(dir, 'empty') }))).toBe('KUBE_CONFIG_INVALID');
  });

  it('loads the in-cluster service account when the token is mounted', async () => {
    const dir = await tempDir();
    const tokenPath = join(dir, 'token');
    await writeFile(tokenPath, 'token');
    const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    // client-node reads the host from process.env itself; the env option decides whether to try at all.
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = '10.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    try {
      expect(loadKubeConfig({ inCluster: true, env, tokenPath }).getCurrentCluster()?.server).toBe(
        'https://10.0.0.1:443',
      );
    } finally {
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      else process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
      else process.env.KUBERNETES_SERVICE_PORT = saved.port;
    }
  });
});
