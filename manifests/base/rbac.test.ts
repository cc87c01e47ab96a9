import { beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, kubeConfig, kubectl } from '../../test/harness/index.ts';
import { type RenderedObject, renderKustomization } from '../test/kustomize.ts';
import { type Access, installRbac, serviceAccountKubeconfig, serviceAccountMay } from '../test/rbac.ts';

const GROUP = 'pipeline.shazam.dev';

let pipeline: string;
let system: string;

function submission(name: string, revision = 1) {
  return {
    apiVersion: `${GROUP}/v1alpha1`,
    kind: 'AssetSubmission',
    metadata: { name, namespace: pipeline },
    spec: {
      asin: 'B0WATERBTL',
      revision,
      artist: 'ana',
      product: { title: 'Insulated Water Bottle 750 ml', brand: 'Northwind' },
      delivery: { uri: `s3://shazam-incoming/incoming/B0WATERBTL/r${revision}.zip`, sha256: 'a'.repeat(64) },
      stages: ['cleanup', 'uv', 'texturing'],
    },
  };
}

function review(name: string, submissionName: string) {
  return {
    apiVersion: `${GROUP}/v1alpha1`,
    kind: 'QAReview',
    metadata: { name, namespace: pipeline },
    spec: { submissionRef: { name: submissionName }, decision: 'Pending' },
  };
}

/** Runs kubectl as a person: `--as` a user in `group`, which is how the RBAC bindings name people. */
function as(user: string, group: string, args: string[], input?: string) {
  return kubectl(['--as', user, '--as-group', group, '--as-group', 'system:authenticated', ...args], {
    ...(input !== undefined ? { input } : {}),
  });
}

async function adminApply(object: object): Promise<void> {
  const result = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) });
  if (result.code !== 0) throw new Error(result.stderr);
}

beforeAll(async () => {
  const objects: RenderedObject[] = await renderKustomization('overlays/dev');
  pipeline = await createNamespace('rbac-pipeline');
  system = await createNamespace('rbac-system');
  await installRbac(objects, { 'shazam-pipeline': pipeline, 'shazam-system': system });
});

describe('QA reviewers (group shazam:qa)', () => {
  const qa = (args: string[], input?: string) => as('qa-lee', 'shazam:qa', args, input);

  it('can decide a QAReview and read submissions', async () => {
    await adminApply(submission('qa-decides-r1'));
    await adminApply(review('qa-decides-r1-review', 'qa-decides-r1'));
    const decided = await qa([
      'patch',
      'qareview',
      'qa-decides-r1-review',
      '-n',
      pipeline,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { decision: 'Approved', reviewer: 'qa-lee' } }),
    ]);
    expect(decided.stderr).toBe('');
    expect(decided.code).toBe(0);
    const read = await qa(['get', 'asub', 'qa-decides-r1', '-n', pipeline, '-o', 'jsonpath={.spec.asin}']);
    expect(read.stdout).toBe('B0WATERBTL');
  });

  it.each([
    // Submissions are the artist's: QA reads them but changes nothing.
    [
      'edit a submission',
      ['patch', 'asub', 'qa-decides-r1', '--type', 'merge', '-p', '{"spec":{"artist":"qa-lee"}}'],
    ],
    ['delete a submission', ['delete', 'asub', 'qa-decides-r1']],
    // The status is the operator's record of the decision.
    [
      'write a review status',
      [
        'patch',
        'qareview',
        'qa-decides-r1-review',
        '--subresource=status',
        '--type',
        'merge',
        '-p',
        '{"status":{}}',
      ],
    ],
    ['create a review', ['create', '-f', '-']],
    ['delete a review', ['delete', 'qareview', 'qa-decides-r1-review']],
    ['read render jobs', ['get', 'renderjobs']],
    ['read Jobs', ['get', 'jobs']],
  ])('cannot %s', async (_what, args) => {
    const input = args.includes('-f') ? JSON.stringify(review('qa-own-review', 'qa-decides-r1')) : undefined;
    const result = await qa([...args, '-n', pipeline], input);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/forbidden/i);
  });
});

describe('artists (group shazam:artists)', () => {
  const artist = (args: string[], input?: string) => as('ana', 'shazam:artists', args, input);

  it('can create, change and delete a submission', async () => {
    const created = await artist(['apply', '-f', '-'], JSON.stringify(submission('artist-owns-r1')));
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const patched = await artist([
      'patch',
      'asub',
      'artist-owns-r1',
      '-n',
      pipeline,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { product: { title: 'Insulated Water Bottle 1 l', brand: 'Northwind' } } }),
    ]);
    expect(patched.code).toBe(0);
    const deleted = await artist(['delete', 'asub', 'artist-owns-r1', '-n', pipeline, '--wait=false']);
    expect(deleted.code).toBe(0);
  });

  it.each([
    [
      'decide a review',
      [
        'patch',
        'qareview',
        'artist-r1-review',
        '--type',
        'merge',
        '-p',
        '{"spec":{"decision":"Approved","reviewer":"ana"}}',
      ],
    ],
    ['read reviews', ['get', 'qareviews']],
    // A submission's status is what the pipeline found; an artist cannot mark their own work Published.
    [
      'write a submission status',
      [
        'patch',
        'asub',
        'artist-r1',
        '--subresource=status',
        '--type',
        'merge',
        '-p',
        '{"status":{"phase":"Published"}}',
      ],
    ],
    ['create a render job', ['create', 'renderjob', 'x']],
    ['read Jobs', ['get', 'jobs']],
  ])('cannot %s', async (_what, args) => {
    await adminApply(submission('artist-r1'));
    await adminApply(review('artist-r1-review', 'artist-r1'));
    const [verb = '', ...rest] = args;
    const result =
      verb === 'create'
        ? await artist(
            ['create', '-n', pipeline, '-f', '-'],
            JSON.stringify({
              apiVersion: `${GROUP}/v1alpha1`,
              kind: 'RenderJob',
              metadata: { name: 'artist-render' },
              spec: { source: { uri: 's3://shazam-assets/a.glb' }, output: { uri: 's3://shazam-assets/r/' } },
            }),
          )
        : await artist([verb, ...rest, '-n', pipeline]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/forbidden/i);
  });
});

describe('the operator ServiceAccount', () => {
  const operator = () => ({ namespace: system, name: 'shazam-operator' });
  const inPipeline = (verb: string, group: string, resource: string, subresource?: string): Access => ({
    verb,
    group,
    resource,
    namespace: pipeline,
    ...(subresource ? { subresource } : {}),
  });

  const needed: [string, () => Access][] = [
    ...['get', 'list', 'watch'].flatMap((verb) =>
      ['assetsubmissions', 'qareviews', 'renderjobs'].map(
        (resource) =>
          [`${verb} ${resource}`, () => inPipeline(verb, GROUP, resource)] as [string, () => Access],
      ),
    ),
    ...['patch', 'update'].flatMap((verb) =>
      ['assetsubmissions', 'qareviews', 'renderjobs'].map(
        (resource) =>
          [`${verb} ${resource}/status`, () => inPipeline(verb, GROUP, resource, 'status')] as [
            string,
            () => Access,
          ],
      ),
    ),
    ...['assetsubmissions', 'qareviews', 'renderjobs'].map(
      (resource) =>
        [`update ${resource}/finalizers`, () => inPipeline('update', GROUP, resource, 'finalizers')] as [
          string,
          () => Access,
        ],
    ),
    ...['create', 'delete', 'patch'].flatMap((verb) =>
      ['qareviews', 'renderjobs'].map(
        (resource) =>
          [`${verb} ${resource}`, () => inPipeline(verb, GROUP, resource)] as [string, () => Access],
      ),
    ),
    // Finalizers on a submission are metadata of the main resource: only `patch` can add them.
    ['patch assetsubmissions (finalizers)', () => inPipeline('patch', GROUP, 'assetsubmissions')],
    ...['create', 'get', 'list', 'watch', 'delete'].map(
      (verb) => [`${verb} jobs`, () => inPipeline(verb, 'batch', 'jobs')] as [string, () => Access],
    ),
    ['get pods (why a Job failed)', () => inPipeline('get', '', 'pods')],
    ['list pods (why a Job failed)', () => inPipeline('list', '', 'pods')],
    ['watch pods (the pod cache of running Jobs)', () => inPipeline('watch', '', 'pods')],
    ['create core events', () => inPipeline('create', '', 'events')],
    ['patch core events', () => inPipeline('patch', '', 'events')],
    ['create events.k8s.io events', () => inPipeline('create', 'events.k8s.io', 'events')],
    ['patch events.k8s.io events', () => inPipeline('patch', 'events.k8s.io', 'events')],
    [
      'create its Lease',
      () => ({ verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: system }),
    ],
    ...['get', 'update'].map(
      (verb) =>
        [
          `${verb} its Lease`,
          () => ({
            verb,
            group: 'coordination.k8s.io',
            resource: 'leases',
            namespace: system,
            name: 'shazam-operator',
          }),
        ] as [string, () => Access],
    ),
  ];

  const refused: [string, () => Access][] = [
    // A submission's spec and lifetime belong to the artist and git.
    ['create assetsubmissions', () => inPipeline('create', GROUP, 'assetsubmissions')],
    ['update assetsubmissions', () => inPipeline('update', GROUP, 'assetsubmissions')],
    ['delete assetsubmissions', () => inPipeline('delete', GROUP, 'assetsubmissions')],
    ['update qareviews (a decision is QA’s)', () => inPipeline('update', GROUP, 'qareviews')],
    ['patch jobs', () => inPipeline('patch', 'batch', 'jobs')],
    ['patch jobs/status (the local job runner only)', () => inPipeline('patch', 'batch', 'jobs', 'status')],
    ['get secrets', () => inPipeline('get', '', 'secrets')],
    ['create pods', () => inPipeline('create', '', 'pods')],
    ['get pods/log', () => inPipeline('get', '', 'pods', 'log')],
    ['delete events', () => inPipeline('delete', '', 'events')],
    [
      'list assetsubmissions in an unwatched namespace',
      () => ({ ...inPipeline('list', GROUP, 'assetsubmissions'), namespace: 'default' }),
    ],
    [
      'create jobs in its own namespace',
      () => ({ ...inPipeline('create', 'batch', 'jobs'), namespace: system }),
    ],
    [
      'list assetsubmissions cluster-wide',
      () => ({ verb: 'list', group: GROUP, resource: 'assetsubmissions' }),
    ],
    ['create leases in the pipeline namespace', () => inPipeline('create', 'coordination.k8s.io', 'leases')],
    [
      'update another Lease',
      () => ({
        verb: 'update',
        group: 'coordination.k8s.io',
        resource: 'leases',
        namespace: system,
        name: 'kube-scheduler',
      }),
    ],
    ['escalate roles', () => inPipeline('escalate', 'rbac.authorization.k8s.io', 'roles')],
  ];

  it.each(needed)('may %s', async (_name, access) => {
    expect(await serviceAccountMay(kubeConfig(), operator(), access())).toBe(true);
  });

  it.each(refused)('may not %s', async (_name, access) => {
    expect(await serviceAccountMay(kubeConfig(), operator(), access())).toBe(false);
  });

  it('acts with its own token: makes children and writes status, and is refused elsewhere', async () => {
    const kubeconfig = await serviceAccountKubeconfig(kubeConfig(), operator());
    const asOperator = (args: string[], input?: string) =>
      kubectl(args, { kubeconfig, ...(input !== undefined ? { input } : {}) });
    await adminApply(submission('operator-token-r1'));

    const whoami = await asOperator(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(whoami.stdout).toBe(`system:serviceaccount:${system}:shazam-operator`);
    const child = await asOperator(
      ['create', '-f', '-'],
      JSON.stringify(review('operator-token-r1-review', 'operator-token-r1')),
    );
    expect(child.stderr).toBe('');
    const status = await asOperator([
      'patch',
      'asub',
      'operator-token-r1',
      '-n',
      pipeline,
      '--subresource=status',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ status: { phase: 'AwaitingQA', observedGeneration: 1 } }),
    ]);
    expect(status.stderr).toBe('');
    const finalizer = await asOperator([
      'patch',
      'asub',
      'operator-token-r1',
      '-n',
      pipeline,
      '--type',
      'json',
      '-p',
      JSON.stringify([{ op: 'add', path: '/metadata/finalizers', value: ['pipeline.shazam.dev/cleanup'] }]),
    ]);
    expect(finalizer.stderr).toBe('');

    const secrets = await asOperator(['get', 'secrets', '-n', pipeline]);
    expect(secrets.stderr).toMatch(/forbidden/i);
    const elsewhere = await asOperator(['get', 'asub', '-n', 'default']);
    expect(elsewhere.stderr).toMatch(/forbidden/i);

    const removed = await kubectl([
      'patch',
      'asub',
      'operator-token-r1',
      '-n',
      pipeline,
      '--type',
      'merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    expect(removed.code).toBe(0);
  });
});

describe('the local job runner (kubelet-less clusters only)', () => {
  let local: { pipeline: string; system: string };
  beforeAll(async () => {
    local = {
      pipeline: await createNamespace('rbac-local'),
      system: await createNamespace('rbac-local-system'),
    };
    await installRbac(await renderKustomization('test/local'), {
      'shazam-pipeline': local.pipeline,
      'shazam-system': local.system,
    });
  });
  const runner = () => ({ namespace: local.system, name: 'shazam-local-job-runner' });
  const access = (verb: string, group: string, resource: string, subresource?: string): Access => ({
    verb,
    group,
    resource,
    namespace: local.pipeline,
    ...(subresource ? { subresource } : {}),
  });

  it.each([
    ['watch jobs', () => access('watch', 'batch', 'jobs'), true],
    ['patch jobs/status', () => access('patch', 'batch', 'jobs', 'status'), true],
    ['read a Secret a Job refers to', () => access('get', '', 'secrets'), true],
    // It reports what happened; it never makes or removes Jobs, and cannot enumerate Secrets.
    ['create jobs', () => access('create', 'batch', 'jobs'), false],
    ['delete jobs', () => access('delete', 'batch', 'jobs'), false],
    ['list secrets', () => access('list', '', 'secrets'), false],
    ['patch submissions', () => access('patch', GROUP, 'assetsubmissions'), false],
  ] as [string, () => Access, boolean][])('%s → %s', async (_name, request, allowed) => {
    expect(await serviceAccountMay(kubeConfig(), runner(), request())).toBe(allowed);
  });

  it('is not part of what dev and prod ship', async () => {
    for (const overlay of ['overlays/dev', 'overlays/prod']) {
      const objects = await renderKustomization(overlay);
      expect(objects.some((object) => object.metadata.name === 'shazam-local-job-runner')).toBe(false);
    }
  });
});
