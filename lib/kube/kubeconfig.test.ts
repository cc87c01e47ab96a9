import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeconfigPath } from '../../test/harness/index.ts';
import { KubeClient } from './client.ts';
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

/** A kubeconfig with one context `ctx` whose cluster and user entries are given as YAML flow mappings. */
function withEntries(cluster: string, user: string, extra = ''): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: c, cluster: ${cluster}}]`,
    `users: [{name: u, user: ${user}}]`,
    'contexts: [{name: ctx, context: {cluster: c, user: u, namespace: team}}]',
    'current-context: ctx',
    extra,
  ].join('\n');
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kubeconfig-test-'));
}

async function writeConfig(text: string): Promise<{ dir: string; path: string }> {
  const dir = await tempDir();
  const path = join(dir, 'config');
  await writeFile(path, text);
  return { dir, path };
}

/** What the loaded configuration adds to one request's options. */
async function requestOptions(path: string): Promise<https.RequestOptions> {
  const options: https.RequestOptions = { headers: { Accept: 'application/json' } };
  await loadKubeConfig({ path, env: { PATH: process.env.PATH } }).applyToHTTPSOptions(options);
  return options;
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
    const { path } = await writeConfig(kubeconfigYaml('https://one.example:6443'));
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
    expect(loadKubeConfig({ env, context: 'b' }).getCurrentUser()?.name).toBe('u-b');
  });

  it('falls back to ~/.kube/config', async () => {
    const home = await tempDir();
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

  it.each([
    // the removed gcp/azure/oidc providers
    ['an auth-provider', "{server: 'https://k'}", '{auth-provider: {name: gcp}}', /auth-provider plugins/],
    // impersonation headers are not sent, so the request would act as the wrong identity
    ['impersonation', "{server: 'https://k'}", '{token: t, as: admin}', /impersonation \(as\)/],
    // a proxy would be silently bypassed
    ['a proxy', "{server: 'https://k', proxy-url: 'http://p:3128'}", '{token: t}', /proxy-url/],
    // client.authentication.k8s.io/v1alpha1 was removed from Kubernetes
    [
      'an old exec apiVersion',
      "{server: 'https://k'}",
      '{exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}',
      /exec apiVersion "client.authentication.k8s.io\/v1alpha1" is not supported/,
    ],
    // a server process has no terminal to prompt on
    [
      'an interactive exec plugin',
      "{server: 'https://k'}",
      '{exec: {apiVersion: client.authentication.k8s.io/v1, command: x, interactiveMode: Always}}',
      /interactiveMode Always needs a terminal/,
    ],
    // a certificate is useless without its key
    [
      'a certificate without its key',
      "{server: 'https://k'}",
      '{client-certificate-data: Y2VydA==}',
      /certificate without its key/,
    ],
    // a field of the wrong type names the field
    [
      'a token that is not a string',
      "{server: 'https://k'}",
      '{token: [a]}',
      /users\[u\]\.user\.token must be a string/,
    ],
  ])('rejects %s with a message that names the fix', async (_what, cluster, user, message) => {
    const { path } = await writeConfig(withEntries(cluster, user));
    expect(() => loadKubeConfig({ path })).toThrow(message);
  });

  it('loads only the selected context: another user with an unsupported feature does not matter', async () => {
    const { path } = await writeConfig(
      [
        'clusters: [{name: c, cluster: {server: "https://k"}}]',
        'users: [{name: u, user: {token: t}}, {name: old, user: {auth-provider: {name: gcp}}}]',
        'contexts: [{name: ctx, context: {cluster: c, user: u}}, {name: other, context: {cluster: c, user: old}}]',
        'current-context: ctx',
      ].join('\n'),
    );
    expect((await requestOptions(path)).headers).toMatchObject({ Authorization: 'Bearer t' });
  });

  it('applies CA and client certificate data, a token, tls-server-name and the namespace', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const { path } = await writeConfig(
      withEntries(
        `{server: 'https://k:6443', certificate-authority-data: ${b64('CA')}, tls-server-name: api.internal}`,
        `{client-certificate-data: ${b64('CERT')}, client-key-data: ${b64('KEY')}, token: tok}`,
      ),
    );
    const options = await requestOptions(path);
    expect(String(options.ca)).toBe('CA');
    expect(String(options.cert)).toBe('CERT');
    expect(String(options.key)).toBe('KEY');
    expect(options.servername).toBe('api.internal');
    expect(options.rejectUnauthorized).toBeUndefined();
    expect(options.headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer tok' });
    const kc = loadKubeConfig({ path });
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('team');
  });

  it('reads CA, certificate, key and token files relative to the kubeconfig, and basic auth', async () => {
    const { dir, path } = await writeConfig(
      withEntries(
        "{server: 'https://k', certificate-authority: pki/ca.crt, insecure-skip-tls-verify: true}",
        '{client-certificate: pki/user.crt, client-key: pki/user.key, tokenFile: token}',
      ),
    );
    await mkdir(join(dir, 'pki'));
    await writeFile(join(dir, 'pki', 'ca.crt'), 'CA FILE');
    await writeFile(join(dir, 'pki', 'user.crt'), 'CERT FILE');
    await writeFile(join(dir, 'pki', 'user.key'), 'KEY FILE');
    await writeFile(join(dir, 'token'), 'from-file\n');
    const options = await requestOptions(path);
    expect([String(options.ca), String(options.cert), String(options.key)]).toEqual([
      'CA FILE',
      'CERT FILE',
      'KEY FILE',
    ]);
    expect(options.rejectUnauthorized).toBe(false);
    expect(options.headers).toMatchObject({ Authorization: 'Bearer from-file' });

    const basic = await writeConfig(
      withEntries("{server: 'https://k'}", '{username: ann, password: secret}'),
    );
    expect((await requestOptions(basic.path)).headers).toMatchObject({
      Authorization: `Basic ${Buffer.from('ann:secret').toString('base64')}`,
    });
    const missing = await writeConfig(
      withEntries("{server: 'https://k', certificate-authority: nope.crt}", '{}'),
    );
    expect(() => loadKubeConfig({ path: missing.path })).toThrow(
      /Certificate authority file .*nope\.crt could not be read/,
    );
  });

  it('runs an exec credential plugin with its args, env and cluster info, once while the token is valid', async () => {
    const dir = await tempDir();
    const plugin = join(dir, 'bin', 'get-token');
    await mkdir(join(dir, 'bin'));
    // Records each run (its args, its env and what it was told) and prints a token valid for an hour.
    await writeFile(
      plugin,
      [
        '#!/bin/sh',
        `echo "$* $CLUSTER_NAME $KUBERNETES_EXEC_INFO" >> "${join(dir, 'runs')}"`,
        'expires=$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ)',
        'echo "{\\"apiVersion\\":\\"client.authentication.k8s.io/v1beta1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"exec-token\\",\\"expirationTimestamp\\":\\"$expires\\"}}"',
        '',
      ].join('\n'),
    );
    await chmod(plugin, 0o755);
    await writeFile(
      join(dir, 'config'),
      withEntries(
        `{server: 'https://eks.example', certificate-authority-data: ${Buffer.from('CA').toString('base64')}}`,
        [
          '{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./bin/get-token,',
          ' args: [eks, get-token], env: [{name: CLUSTER_NAME, value: prod}], provideClusterInfo: true}}',
        ].join(''),
      ),
    );
    const kc = loadKubeConfig({ path: join(dir, 'config'), env: { PATH: process.env.PATH } });
    const apply = async () => {
      const options: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(options);
      return options.headers;
    };
    const [first, second] = await Promise.all([apply(), apply()]);
    expect(first).toEqual({ Authorization: 'Bearer exec-token' });
    expect(second).toEqual(first);
    expect(await apply()).toEqual(first);
    const runs = (await readFile(join(dir, 'runs'), 'utf8')).trim().split('\n');
    expect(runs).toHaveLength(1);
    const [args, info] = [runs[0]!.slice(0, runs[0]!.indexOf('{')), runs[0]!.slice(runs[0]!.indexOf('{'))];
    expect(args.trim()).toBe('eks get-token prod');
    expect(JSON.parse(info)).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      spec: {
        interactive: false,
        cluster: {
          server: 'https://eks.example',
          'certificate-authority-data': Buffer.from('CA').toString('base64'),
        },
      },
    });
  });

  it('says what failed when an exec plugin fails or prints something else', async () => {
    const dir = await tempDir();
    const write = async (name: string, body: string) => {
      await writeFile(join(dir, name), `#!/bin/sh\n${body}\n`);
      await chmod(join(dir, name), 0o755);
      await writeFile(
        join(dir, `${name}.yaml`),
        withEntries(
          "{server: 'https://k'}",
          `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ${join(dir, name)}}}`,
        ),
      );
      return join(dir, `${name}.yaml`);
    };
    const failing = await write('failing', 'echo "no AWS credentials" >&2; exit 255');
    await expect(requestOptions(failing)).rejects.toThrow(/failing failed .*no AWS credentials/);
    const wrong = await write(
      'wrong',
      'echo \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}\'',
    );
    await expect(requestOptions(wrong)).rejects.toThrow(
      /returned neither status.token nor status.clientCertificateData/,
    );
    const missing = await writeConfig(
      withEntries(
        "{server: 'https://k'}",
        '{exec: {apiVersion: client.authentication.k8s.io/v1, command: no-such-plugin}}',
      ),
    );
    await expect(requestOptions(missing.path)).rejects.toThrow(/no-such-plugin was not found on PATH/);
  });

  it('loads the in-cluster service account from its mounted files (IPv6 host, CA, namespace)', async () => {
    const dir = await tempDir();
    const tokenPath = join(dir, 'token');
    await writeFile(tokenPath, 'token-1');
    await writeFile(join(dir, 'ca.crt'), 'CLUSTER CA');
    await writeFile(join(dir, 'namespace'), 'shazam-system');
    const env = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' };
    const kc = loadKubeConfig({ inCluster: true, env, tokenPath });
    expect(kc.getCurrentCluster().server).toBe('https://[fd00::1]:443');
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('shazam-system');
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    expect(String(options.ca)).toBe('CLUSTER CA');
    expect(options.headers).toEqual({ Authorization: 'Bearer token-1' });
    // the default chain finds it too when nothing else is configured
    const home = await tempDir();
    expect(loadKubeConfig({ env, tokenPath, homeDir: home }).getCurrentCluster().server).toBe(
      'https://[fd00::1]:443',
    );
    const noCa = await tempDir();
    await writeFile(join(noCa, 'token'), 't');
    expect(() => loadKubeConfig({ inCluster: true, env, tokenPath: join(noCa, 'token') })).toThrow(
      /needs the cluster CA at .*ca\.crt/,
    );
  });

  it('authenticates to the real apiserver with the harness kubeconfig (CA and client certificate data)', async () => {
    const client = new KubeClient(loadKubeConfig({ path: kubeconfigPath() }));
    try {
      const list = await client.list({ group: '', version: 'v1', plural: 'namespaces' }, { limit: 1 });
      expect(list.items.length).toBe(1);
    } finally {
      client.close();
    }
  });
});
