import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/kube/logger.ts';
import { type OperatorHandle, startOperator } from '../../operator/operator.ts';
import { createTestBed, submissionManifest, type TestBed } from '../../operator/test-support/fixture.ts';
import { flow } from '../../operator/test-support/flow.ts';
import { createNamespace, kubeConfig, s3Client } from '../../test/harness/index.ts';
import { renderKustomization } from '../test/kustomize.ts';
import { installRbac, serviceAccountKubeconfig } from '../test/rbac.ts';

// The operator runs as its own ServiceAccount, authenticated with a token from the TokenRequest API, under
// exactly the RBAC objects manifests/ ships (moved into this test's namespaces). The test itself plays the
// kubelet (completes Jobs) and QA with admin rights, as the operator's own tests do.
describe('the operator under the shipped RBAC', () => {
  let bed: TestBed;
  let operator: OperatorHandle | undefined;
  let system: string;

  beforeAll(async () => {
    bed = await createTestBed('rbac-op');
    system = await createNamespace('rbac-op-system');
    await installRbac(await renderKustomization('overlays/prod'), {
      'shazam-pipeline': bed.namespace,
      'shazam-system': system,
    });
    const asOperator = new KubeConfig();
    asOperator.loadFromFile(
      await serviceAccountKubeconfig(kubeConfig(), { namespace: system, name: 'shazam-operator' }),
    );
    operator = await startOperator({
      config: {
        ...bed.config,
        leaderElection: {
          ...bed.config.leaderElection,
          enabled: true,
          leaseName: 'shazam-operator',
          leaseNamespace: system,
          identity: 'rbac-op-0',
        },
      },
      kubeConfig: asOperator,
      s3: s3Client(),
      log: silentLogger,
    });
    await operator.synced;
  });
  afterAll(async () => {
    await operator?.stop();
  });

  it('leads, and takes a submission to Published with no request refused', async () => {
    const f = flow(bed, 'lamp');
    await f.create(submissionManifest(bed, 'lamp', 'B0RBACLAMP', 1));
    await f.validationJob();
    await f.completeValidation('Passed');
    await f.renderJobJob();
    await f.phase('Rendering');
    await f.completeRender();
    await f.phase('AwaitingQA');
    await f.decide('Approved');
    const published = await f.phase('Published');
    expect(published.status?.published).toMatchObject({ version: 1 });
    expect(operator?.isLeader()).toBe(true);

    const metrics = await operator?.metrics.registry.getSingleMetricAsString('shazam_reconcile_errors_total');
    expect(metrics ?? '').not.toMatch(/FORBIDDEN|Forbidden|403/);
  });
});
