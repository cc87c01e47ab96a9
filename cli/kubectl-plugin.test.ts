import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../lib/kube/client.ts';
import { getResource } from '../lib/shazam-client/resources.ts';
import {
  kubeConfig as adminKubeConfig,
  createNamespace,
  harness,
  kubeconfigPath,
} from '../test/harness/index.ts';
import { createObject, testReview, testSubmission } from '../test/support/cli/test-objects.ts';

const plugin = fileURLToPath(new URL('../bin/kubectl-shazam', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('kubectl shazam (the CLI as a kubectl plugin, run by the real kubectl)', () => {
  let dir: string;
  let namespace: string;
  let admin: KubeClient;
  let env: NodeJS.ProcessEnv;

  /** Runs `kubectl <args>` as a user would: the plugin found on PATH, the kubeconfig from $KUBECONFIG. */
  const kubectl = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(harness().kubectlPath, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });

  beforeAll(async () => {
    namespace = await createNamespace('plugin');
    const adminConfig = adminKubeConfig();
    admin = new KubeClient(adminConfig);
    for (const [name, asin] of [
      ['chair', 'B0CHAIR001'],
      ['lamp', 'B0LAMP0001'],
    ] as const) {
      await createObject(admin, namespace, testSubmission(name, asin));
      await createObject(admin, namespace, testReview(`${name}-qa-r1`, name));
    }
    dir = await mkdtemp(join(tmpdir(), 'kubectl-shazam-'));
    const bin = join(dir, 'bin');
    await mkdir(bin);
    // Installed as a user would: a link on PATH to the repository's bin/kubectl-shazam.
    await symlink(plugin, join(bin, 'kubectl-shazam'));
    // The kubeconfig's current context points nowhere; the `harness` context (with the test namespace) works.
    const cluster = adminConfig.getCurrentCluster();
    const user = adminConfig.getCurrentUser();
    if (!cluster || !user) throw new Error('harness kubeconfig lacks a cluster or user');
    const kubeconfig = join(dir, 'config');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'harness',
            cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData },
          },
          { name: 'nowhere', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } },
        ],
        users: [
          {
            name: 'admin',
            user: {
              ...(user.certData ? { 'client-certificate-data': user.certData } : {}),
              ...(user.keyData ? { 'client-key-data': user.keyData } : {}),
              ...(user.token ? { token: user.token } : {}),
            },
          },
        ],
        contexts: [
          { name: 'harness', context: { cluster: 'harness', user: 'admin', namespace } },
          { name: 'nowhere', context: { cluster: 'nowhere', user: 'admin', namespace } },
        ],
        'current-context': 'nowhere',
      }),
    );
    env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, KUBECONFIG: kubeconfig };
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is found by kubectl plugin list and answers kubectl shazam status --help', async () => {
    const list = await kubectl('plugin', 'list');
    expect(list.stdout).toContain(join(dir, 'bin', 'kubectl-shazam'));
    expect(list.stderr).not.toMatch(/warning/i);
    const help = await kubectl('shazam', 'status', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--context <name>/);
  });

  it('status uses kubectl’s kubeconfig: --context picks the context, whose namespace applies', async () => {
    const status = await kubectl('shazam', 'status', '--context', 'harness');
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^chair\s/m);
    expect(status.stdout).toMatch(/^lamp\s/m);
    // Without --context it uses the current context, like kubectl: here one that cannot be reached.
    const current = await kubectl('shazam', 'status');
    expect(current.code).not.toBe(0);
    expect(`${current.stdout}${current.stderr}`).toMatch(/127\.0\.0\.1:1|ECONNREFUSED|unreachable|connect/i);
  });

  it('status takes --kubeconfig and -n/--namespace like kubectl', async () => {
    const other = await createNamespace('plugin-other');
    await createObject(admin, other, testSubmission('sofa', 'B0SOFA0001'));
    const status = await kubectl('shazam', 'status', '--kubeconfig', kubeconfigPath(), '-n', other);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^sofa\s/m);
    expect(status.stdout).not.toMatch(/^chair\s/m);
    const equals = await kubectl('shazam', 'status', '--context=harness', `--namespace=${other}`);
    expect(equals.code, equals.stderr).toBe(0);
    expect(equals.stdout).toMatch(/^sofa\s/m);
  });

  it('qa approve and qa reject record decisions through the selected context', async () => {
    const approve = await kubectl(
      'shazam',
      'qa',
      'approve',
      'chair-qa-r1',
      '--context',
      'harness',
      '--reviewer',
      'qa@example.com',
    );
    expect(approve.code, approve.stderr).toBe(0);
    const reject = await kubectl(
      'shazam',
      'qa',
      'reject',
      'lamp-qa-r1',
      '--context',
      'harness',
      '--reviewer',
      'qa@example.com',
      '--comments',
      'the shade is mirrored',
    );
    expect(reject.code, reject.stderr).toBe(0);
    const decided = await Promise.all(
      ['chair-qa-r1', 'lamp-qa-r1'].map(
        async (name) => (await getResource(admin, 'QAReview', namespace, name)).spec.decision,
      ),
    );
    expect(decided).toEqual(['Approved', 'Rejected']);
  });

  it('lint checks files offline with the exit codes of shazam lint', async () => {
    const examples = fileURLToPath(new URL('../examples/', import.meta.url));
    const valid = await kubectl('shazam', 'lint', join(examples, 'asub-stand-mixer.yaml'));
    expect(valid.code, valid.stdout + valid.stderr).toBe(0);
    const invalid = await kubectl(
      'shazam',
      'lint',
      '--quiet',
      join(examples, 'invalid/asub-revision-zero.yaml'),
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/spec\.revision: Invalid value: 0/);
  });
});
