import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantReviewerAccess, writeTokenKubeconfig } from '../../dev/reviewer-access.ts';
import { KubeClient } from '../../lib/kube/client.ts';
import { getResource } from '../../lib/shazam-client/resources.ts';
import { kubeConfig as adminKubeConfig, createNamespace } from '../../test/harness/index.ts';
import { recordingIO } from '../../test/support/cli/recording-io.ts';
import {
  createObject,
  testReview,
  testSubmission,
  writeReviewStatus,
  writeSubmissionStatus,
} from '../../test/support/cli/test-objects.ts';
import { command } from './qa.ts';

describe('shazam qa (real kube-apiserver, RBAC)', () => {
  let namespace: string;
  let admin: KubeClient;
  let dir: string;
  let reviewerConfig: string;
  let observerConfig: string;

  beforeAll(async () => {
    namespace = await createNamespace('qa');
    const adminConfig = adminKubeConfig();
    admin = new KubeClient(adminConfig);
    dir = await mkdtemp(join(tmpdir(), 'shazam-qa-'));
    const cluster = adminConfig.getCurrentCluster()!;
    const write = async (name: string, mayDecide: boolean) => {
      const credentials = await grantReviewerAccess({ admin, namespace, name, mayDecide });
      const path = join(dir, `${name}.kubeconfig`);
      await writeTokenKubeconfig(path, {
        server: cluster.server,
        caData: cluster.caData!,
        token: credentials.token,
        namespace,
        user: name,
      });
      return path;
    };
    reviewerConfig = await write('qa-reviewer', true);
    observerConfig = await write('qa-observer', false);
    for (const [name, asin] of [
      ['chair', 'B0CHAIR001'],
      ['lamp', 'B0LAMP0001'],
      ['sofa', 'B0SOFA0001'],
    ] as const) {
      await createObject(admin, namespace, testSubmission(name, asin));
      await createObject(admin, namespace, testReview(`${name}-qa-r1`, name));
    }
    await writeSubmissionStatus(admin, namespace, 'sofa', {
      observedGeneration: 1,
      phase: 'AwaitingQA',
      children: { qaReview: 'sofa-qa-r1' },
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const as = (kubeconfig: string) => recordingIO({ KUBECONFIG: kubeconfig }, dir);
  const review = (name: string) => getResource(admin, 'QAReview', namespace, name);

  it('lists pending reviews with the reviewer credentials', async () => {
    const io = as(reviewerConfig);
    expect(await command.run(['list'], io)).toBe(0);
    const names = io
      .stdoutText()
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[0]);
    expect(names).toEqual(['chair-qa-r1', 'lamp-qa-r1', 'sofa-qa-r1']);
  });

  it('approves as the ServiceAccount the apiserver authenticated', async () => {
    const io = as(reviewerConfig);
    expect(await command.run(['approve', 'chair-qa-r1', '--comments', 'matches the photos'], io)).toBe(0);
    expect((await review('chair-qa-r1')).spec).toMatchObject({
      decision: 'Approved',
      reviewer: `system:serviceaccount:${namespace}:qa-reviewer`,
      comments: 'matches the photos',
    });
  });

  it('refuses to change a decision that was made', async () => {
    const io = as(reviewerConfig);
    expect(await command.run(['reject', 'chair-qa-r1', '--comments', 'changed my mind'], io)).toBe(1);
    expect(io.stderrText()).toMatch(/SHAZAM_CLI_ALREADY_DECIDED: .*already Approved/);
    expect((await review('chair-qa-r1')).spec.decision).toBe('Approved');
  });

  it('lets RBAC refuse a reviewer without the patch permission', async () => {
    const io = as(observerConfig);
    expect(await command.run(['approve', 'lamp-qa-r1', '--reviewer', 'eve'], io)).toBe(1);
    expect(io.stderrText()).toMatch(/SHAZAM_CLI_FORBIDDEN: you may not decide QA reviews in namespace/);
    expect((await review('lamp-qa-r1')).spec.decision).toBe('Pending');
  });

  it('refuses a finding area the QAReview schema does not know', async () => {
    await expect(
      command.run(
        ['reject', 'lamp-qa-r1', '--comments', 'x', '--finding', 'rigging:no bones'],
        as(reviewerConfig),
      ),
    ).rejects.toThrow(/area "rigging" is not one of geometry, uv/);
  });

  it('requires comments to reject, before asking the apiserver', async () => {
    await expect(command.run(['reject', 'lamp-qa-r1'], as(reviewerConfig))).rejects.toThrow(
      /reject needs --comments/,
    );
  });

  it('refuses an orphaned review with the reason, and changes nothing', async () => {
    await createObject(admin, namespace, testSubmission('stool', 'B0STOOL001', 2));
    await createObject(admin, namespace, testReview('stool-qa-r1', 'stool'));
    await writeReviewStatus(admin, namespace, 'stool-qa-r1', {
      observedGeneration: 1,
      phase: 'Orphaned',
      submission: { name: 'stool', asin: 'B0STOOL001', revision: 1 },
    });
    const moved = as(reviewerConfig);
    expect(await command.run(['approve', 'stool-qa-r1'], moved)).toBe(1);
    expect(moved.stdoutText()).toBe('');
    expect(moved.stderrText()).toMatch(
      /SHAZAM_CLI_REVIEW_ORPHANED: .*stool-qa-r1 is orphaned \(it is for revision 1 but AssetSubmission stool has moved on to revision 2\)/,
    );
    expect((await review('stool-qa-r1')).spec.decision).toBe('Pending');

    await createObject(admin, namespace, testReview('gone-qa-r1', 'no-such-submission'));
    const gone = as(reviewerConfig);
    expect(await command.run(['reject', 'gone-qa-r1', '--comments', 'x'], gone)).toBe(1);
    expect(gone.stderrText()).toMatch(
      /SHAZAM_CLI_REVIEW_ORPHANED: .*AssetSubmission no-such-submission does not exist/,
    );
    expect((await review('gone-qa-r1')).spec.decision).toBe('Pending');
  });

  it('rejects with comments and findings, found through the submission name', async () => {
    const io = as(reviewerConfig);
    const code = await command.run(
      [
        'reject',
        'sofa',
        '--comments',
        'left armrest seam',
        '--finding',
        'texturing:visible seam on the armrest',
      ],
      io,
    );
    expect(io.stderrText()).toBe('');
    expect(code).toBe(0);
    expect((await review('sofa-qa-r1')).spec).toMatchObject({
      decision: 'Rejected',
      comments: 'left armrest seam',
      findings: [{ area: 'texturing', message: 'visible seam on the armrest' }],
    });
  });
});
