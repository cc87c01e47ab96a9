import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KubeClient } from '../../../lib/kube/client.ts';
import { createNamespace, kubeConfig } from '../../../test/harness/index.ts';
import { findObject, renderKustomization } from '../../test/kustomize.ts';
import { LuaActionError, runActionScript } from '../../test/lua.ts';

const KEY = 'resource.customizations.actions.pipeline.shazam.dev_QAReview';
const QAREVIEWS = { group: 'pipeline.shazam.dev', version: 'v1alpha1', plural: 'qareviews' } as const;

interface Actions {
  'discovery.lua': string;
  definitions: { name: string; 'action.lua': string }[];
}

/** The actions exactly as `kubectl apply -k manifests/argocd` ships them in argocd-cm. */
async function shippedActions(): Promise<Actions> {
  const objects = await renderKustomization('argocd');
  const cm = findObject(objects, 'ConfigMap', 'argocd-cm', 'argocd') as unknown as {
    data: Record<string, string>;
  };
  const text = cm.data[KEY];
  if (!text) throw new Error(`argocd-cm has no ${KEY}`);
  // Pulumi ships the same file.
  expect(text).toBe(await readFile(fileURLToPath(new URL('qareview.yaml', import.meta.url)), 'utf8'));
  return parse(text) as Actions;
}

function script(actions: Actions, name: string): string {
  const definition = actions.definitions.find((candidate) => candidate.name === name);
  if (!definition) throw new Error(`no action ${name}`);
  return definition['action.lua'];
}

function review(namespace: string, spec: Record<string, unknown> = {}, status?: Record<string, unknown>) {
  return {
    apiVersion: 'pipeline.shazam.dev/v1alpha1',
    kind: 'QAReview',
    metadata: { name: 'b0chair001-r1', namespace, generation: 1 },
    spec: { submissionRef: { name: 'b0chair001-r1' }, decision: 'Pending', ...spec },
    ...(status ? { status } : {}),
  };
}

describe('Argo CD actions on QAReviews (lua5.1, Argo CD’s action sandbox)', () => {
  it('offers approve and reject, with their parameters, only on a pending review', async () => {
    const actions = await shippedActions();
    const pending = (await runActionScript(actions['discovery.lua'], review('ns'))) as Record<
      string,
      { disabled: boolean; params: { name: string }[] }
    >;
    expect(pending.approve).toMatchObject({ disabled: false, params: [{ name: 'reviewer' }] });
    expect(pending.reject).toMatchObject({
      disabled: false,
      params: [{ name: 'reviewer' }, { name: 'reason' }],
    });
    for (const [spec, status] of [
      [{ decision: 'Approved', reviewer: 'qa@example.com' }, undefined],
      [{ decision: 'Rejected', reviewer: 'qa@example.com', comments: 'mirrored handle' }, undefined],
      [{}, { phase: 'Orphaned' }],
    ] as const) {
      const offered = (await runActionScript(actions['discovery.lua'], review('ns', spec, status))) as Record<
        string,
        { disabled: boolean }
      >;
      expect([offered.approve?.disabled, offered.reject?.disabled], JSON.stringify(spec)).toEqual([
        true,
        true,
      ]);
    }
  });

  it('approves and rejects with a reason, in patches the real apiserver accepts', async () => {
    const actions = await shippedActions();
    const client = new KubeClient(kubeConfig());
    const namespace = await createNamespace('qa-actions');
    for (const [name, params, expected] of [
      ['approve', { reviewer: 'qa@example.com' }, { decision: 'Approved', reviewer: 'qa@example.com' }],
      [
        'reject',
        { reviewer: 'qa@example.com', reason: 'the handle is mirrored compared with photo 3' },
        {
          decision: 'Rejected',
          reviewer: 'qa@example.com',
          comments: 'the handle is mirrored compared with photo 3',
        },
      ],
    ] as const) {
      const object = review(namespace);
      object.metadata.name = `chair-${name}`;
      const { generation: _, ...metadata } = object.metadata;
      await client.create(QAREVIEWS, namespace, { ...object, metadata });
      const result = (await runActionScript(script(actions, name), object, params)) as { spec: object };
      expect(result.spec).toMatchObject(expected);
      // Argo CD patches the live object with the difference; the schema's rules judge it.
      const patched = await client.patch<
        { spec: object } & { apiVersion: string; kind: string; metadata: object }
      >(QAREVIEWS, namespace, object.metadata.name, { spec: result.spec }, 'merge');
      expect(patched.spec).toMatchObject(expected);
    }
  });

  it('refuses what the schema would refuse, with a message for the user', async () => {
    const actions = await shippedActions();
    const cases: [string, Record<string, unknown>, Record<string, string>, RegExp][] = [
      ['reject', {}, { reviewer: 'qa@example.com' }, /reason parameter/],
      ['reject', {}, { reviewer: 'qa@example.com', reason: '' }, /reason parameter/],
      ['approve', {}, {}, /reviewer parameter/],
      [
        'approve',
        { decision: 'Rejected', comments: 'x', reviewer: 'a' },
        { reviewer: 'b' },
        /already Rejected/,
      ],
      [
        'reject',
        { decision: 'Approved', reviewer: 'a' },
        { reviewer: 'b', reason: 'late' },
        /already Approved/,
      ],
    ];
    for (const [name, spec, params, message] of cases) {
      const failure = await runActionScript(script(actions, name), review('ns', spec), params).catch(
        (error: unknown) => error,
      );
      expect(failure, `${name} ${JSON.stringify(params)}`).toBeInstanceOf(LuaActionError);
      expect((failure as Error).message).toMatch(message);
    }
    const orphaned = await runActionScript(
      script(actions, 'approve'),
      review('ns', {}, { phase: 'Orphaned' }),
      {
        reviewer: 'qa@example.com',
      },
    ).catch((error: unknown) => error);
    expect((orphaned as Error).message).toMatch(/orphaned/);
  });
});
