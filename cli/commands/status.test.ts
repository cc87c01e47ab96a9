import { beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../lib/kube/client.ts';
import { loadKubeConfig } from '../../lib/kube/kubeconfig.ts';
import { createNamespace, kubeconfigPath } from '../../test/harness/index.ts';
import { recordingIO } from '../../test/support/cli/recording-io.ts';
import { createObject, testSubmission, writeSubmissionStatus } from '../../test/support/cli/test-objects.ts';
import { command } from './status.ts';

describe('shazam status (real kube-apiserver)', () => {
  let namespace: string;
  let admin: KubeClient;
  const io = () => recordingIO({ KUBECONFIG: kubeconfigPath() }, process.cwd());

  beforeAll(async () => {
    namespace = await createNamespace('status');
    admin = new KubeClient(loadKubeConfig({ path: kubeconfigPath() }));
    await createObject(admin, namespace, testSubmission('chair', 'B0CHAIR001', 2));
    await createObject(admin, namespace, testSubmission('lamp', 'B0LAMP0001'));
    await writeSubmissionStatus(admin, namespace, 'chair', {
      observedGeneration: 1,
      phase: 'AwaitingQA',
      message: 'Waiting for a QA decision on chair-qa-r2',
      validation: { verdict: 'Passed', errors: 0, warnings: 2 },
      conditions: [
        {
          type: 'QAApproved',
          status: 'False',
          reason: 'AwaitingDecision',
          message: 'QAReview chair-qa-r2 is pending',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });
  });

  it('prints one row per submission with phase, validation and QA state', async () => {
    const out = io();
    expect(await command.run(['-n', namespace], out)).toBe(0);
    const lines = out.stdoutText().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ASIN\s+REV\s+PHASE\s+VALIDATION\s+QA\s+AGE\s+MESSAGE$/);
    expect(lines[1]).toMatch(
      /^chair\s+B0CHAIR001\s+2\s+AwaitingQA\s+Passed \(0E\/2W\)\s+AwaitingDecision\s+\d+s\s+Waiting for a QA/,
    );
    expect(lines[2]).toMatch(/^lamp\s+B0LAMP0001\s+1\s+Pending\s+-\s+-\s+\d+s$/);
  });

  it('prints JSON for one submission', async () => {
    const out = io();
    expect(await command.run(['chair', '-n', namespace, '-o', 'json'], out)).toBe(0);
    expect(JSON.parse(out.stdoutText())).toMatchObject({
      spec: { asin: 'B0CHAIR001' },
      status: { phase: 'AwaitingQA' },
    });
  });

  it('waits for a phase and reports each phase as it passes', async () => {
    const out = io();
    const waiting = command.run(
      ['lamp', '-n', namespace, '--wait-for', 'Published', '--timeout', '30s'],
      out,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await writeSubmissionStatus(admin, namespace, 'lamp', { observedGeneration: 1, phase: 'Rendering' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await writeSubmissionStatus(admin, namespace, 'lamp', {
      observedGeneration: 1,
      phase: 'Published',
      message: 'Published version 1',
    });
    expect(await waiting).toBe(0);
    const phases = out.out.map((line) => line.trim().split(/\s+/)[2]);
    expect(phases).toEqual(['Pending', 'Rendering', 'Published']);
  });

  it('exits 1 when the submission settles in another final phase', async () => {
    await writeSubmissionStatus(admin, namespace, 'chair', {
      phase: 'Rejected',
      message: 'the handle is mirrored',
    });
    const out = io();
    expect(
      await command.run(['chair', '-n', namespace, '--wait-for', 'Published', '--timeout', '10s'], out),
    ).toBe(1);
    expect(out.stderrText()).toMatch(
      /SHAZAM_CLI_UNEXPECTED_PHASE: chair stopped in phase Rejected .*the handle is mirrored/,
    );
  });

  it('names a missing submission', async () => {
    const out = io();
    expect(await command.run(['nothing-here', '-n', namespace], out)).toBe(1);
    expect(out.stderrText()).toContain(
      `SHAZAM_CLI_NOT_FOUND: AssetSubmission ${namespace}/nothing-here does not exist`,
    );
  });

  it('refuses a --wait-for value that is not a phase instead of waiting for the timeout', async () => {
    await expect(command.run(['chair', '-n', namespace, '--wait-for', 'Publish'], io())).rejects.toThrow(
      /--wait-for Publish is not a phase; use one of Pending, .*Published/,
    );
  });
});
