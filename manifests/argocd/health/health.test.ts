import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runHealthScript } from '../../test/lua.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const GROUP = 'pipeline.shazam.dev';

interface Kustomization {
  configMapGenerator?: { name: string; files?: string[] }[];
}

/** The scripts exactly as the argocd-cm generator ships them, keyed by kind. */
async function shippedScripts(): Promise<Map<string, string>> {
  const kustomization = parse(await readFile(here('../kustomization.yaml'), 'utf8')) as Kustomization;
  const cm = kustomization.configMapGenerator?.find((generator) => generator.name === 'argocd-cm');
  const scripts = new Map<string, string>();
  for (const entry of cm?.files ?? []) {
    const [key = '', file = ''] = entry.split('=');
    const prefix = `resource.customizations.health.${GROUP}_`;
    if (!key.startsWith(prefix)) continue;
    scripts.set(key.slice(prefix.length), await readFile(here(`../${file}`), 'utf8'));
  }
  return scripts;
}

function object(kind: string, generation: number, spec: object, status?: object) {
  return {
    apiVersion: `${GROUP}/v1alpha1`,
    kind,
    metadata: { name: 'b0waterbtl-r1', namespace: 'shazam-pipeline', generation },
    spec,
    ...(status ? { status } : {}),
  };
}

const submissionSpec = { asin: 'B0WATERBTL', revision: 1, artist: 'ana' };
const submission = (status?: object, generation = 1) =>
  object('AssetSubmission', generation, submissionSpec, status);
const review = (spec: object, status?: object, generation = 1) =>
  object('QAReview', generation, { submissionRef: { name: 'b0waterbtl-r1' }, ...spec }, status);
const render = (status?: object, generation = 1) =>
  object(
    'RenderJob',
    generation,
    { source: { uri: 's3://assets/a.glb' }, output: { uri: 's3://assets/r/' } },
    status,
  );

let scripts: Map<string, string>;
beforeAll(async () => {
  scripts = await shippedScripts();
});

describe('argocd-cm health customizations', () => {
  it('ships one script per SHAZAM kind under the key Argo CD looks up', () => {
    expect([...scripts.keys()].sort()).toEqual(['AssetSubmission', 'QAReview', 'RenderJob']);
  });
});

describe('AssetSubmission health', () => {
  it.each([
    // No status yet: the operator has not reconciled it.
    ['no status', submission(), 'Progressing', /Waiting for the SHAZAM operator/],
    ['Pending', submission({ observedGeneration: 1, phase: 'Pending' }), 'Progressing', /^Pending/],
    ['Validating', submission({ observedGeneration: 1, phase: 'Validating' }), 'Progressing', /^Validating/],
    ['Rendering', submission({ observedGeneration: 1, phase: 'Rendering' }), 'Progressing', /^Rendering/],
    ['AwaitingQA', submission({ observedGeneration: 1, phase: 'AwaitingQA' }), 'Progressing', /^AwaitingQA/],
    ['Promoting', submission({ observedGeneration: 1, phase: 'Promoting' }), 'Progressing', /^Promoting/],
    [
      'Published',
      submission({ observedGeneration: 1, phase: 'Published', published: { version: 1 } }),
      'Healthy',
      /Published version 1/,
    ],
    // An older revision that a newer one replaced needs no attention.
    ['Superseded', submission({ observedGeneration: 1, phase: 'Superseded' }), 'Healthy', /Superseded/],
    [
      'ValidationFailed',
      submission({ observedGeneration: 1, phase: 'ValidationFailed', validation: { errors: 3 } }),
      'Degraded',
      /3 error/,
    ],
    [
      'Rejected',
      submission({ observedGeneration: 1, phase: 'Rejected', rejection: { comments: 'Label is mirrored' } }),
      'Degraded',
      /Rejected by QA: Label is mirrored/,
    ],
    [
      'Failed',
      submission({ observedGeneration: 1, phase: 'Failed', message: 'render Job exceeded its deadline' }),
      'Degraded',
      /render Job exceeded its deadline/,
    ],
    // Status written for generation 1 says nothing about the spec committed as generation 2.
    [
      'stale Published',
      submission({ observedGeneration: 1, phase: 'Published', published: { version: 1 } }, 2),
      'Progressing',
      /observe generation 2/,
    ],
    ['unknown phase', submission({ observedGeneration: 1, phase: 'Exploded' }), 'Unknown', /Exploded/],
  ])('%s → %s', async (_name, obj, status, message) => {
    const result = await runHealthScript(scripts.get('AssetSubmission') ?? '', obj);
    expect(result.status).toBe(status);
    expect(result.message).toMatch(message);
  });
});

describe('QAReview health', () => {
  it.each([
    ['no decision field', review({}), 'Progressing', /Waiting for a QA decision/],
    ['Pending', review({ decision: 'Pending' }, { observedGeneration: 1 }), 'Progressing', /Waiting/],
    // The review opens on the candidate's rendered turntable, and says so.
    [
      'Pending on a rendered candidate',
      review(
        { decision: 'Pending' },
        { observedGeneration: 1, render: { renderJob: 'mixer-r1', framesRendered: 72 } },
      ),
      'Progressing',
      /^Waiting for a QA decision on the rendered candidate \(72 frames\)$/,
    ],
    [
      'Approved',
      review({ decision: 'Approved', reviewer: 'qa-lee' }, { observedGeneration: 1 }),
      'Healthy',
      /Approved by qa-lee/,
    ],
    // A rejection is a final decision: the review is done; the submission shows Degraded.
    [
      'Rejected',
      review({ decision: 'Rejected', reviewer: 'qa-lee', comments: 'seams' }, { observedGeneration: 1 }),
      'Healthy',
      /Rejected by qa-lee/,
    ],
    [
      'decided but not yet recorded',
      review({ decision: 'Approved', reviewer: 'qa-lee' }, { observedGeneration: 1 }, 2),
      'Progressing',
      /waiting for the operator/,
    ],
    ['unknown decision', review({ decision: 'Maybe' }, { observedGeneration: 1 }), 'Unknown', /Maybe/],
    // The artist moved to a newer revision while the review was open: nothing waits on it any more.
    [
      'Orphaned while pending',
      review({ decision: 'Pending' }, { observedGeneration: 1, phase: 'Orphaned' }),
      'Healthy',
      /Orphaned/,
    ],
  ])('%s → %s', async (_name, obj, status, message) => {
    const result = await runHealthScript(scripts.get('QAReview') ?? '', obj);
    expect(result.status).toBe(status);
    expect(result.message).toMatch(message);
  });
});

describe('RenderJob health', () => {
  it.each([
    ['no status', render(), 'Progressing', /Waiting for the SHAZAM operator/],
    ['Pending', render({ observedGeneration: 1, phase: 'Pending' }), 'Progressing', /^Pending/],
    [
      'Running',
      render({ observedGeneration: 1, phase: 'Running', message: 'frame 12 of 36' }),
      'Progressing',
      /Running: frame 12 of 36/,
    ],
    [
      'Succeeded',
      render({ observedGeneration: 1, phase: 'Succeeded', framesRendered: 36 }),
      'Healthy',
      /Rendered 36 frame/,
    ],
    [
      'Failed',
      render({ observedGeneration: 1, phase: 'Failed', message: 'no GPU adapter' }),
      'Degraded',
      /Render failed: no GPU adapter/,
    ],
    [
      'stale Succeeded',
      render({ observedGeneration: 1, phase: 'Succeeded' }, 3),
      'Progressing',
      /generation 3/,
    ],
    ['unknown phase', render({ observedGeneration: 1, phase: 'Paused' }), 'Unknown', /Paused/],
  ])('%s → %s', async (_name, obj, status, message) => {
    const result = await runHealthScript(scripts.get('RenderJob') ?? '', obj);
    expect(result.status).toBe(status);
    expect(result.message).toMatch(message);
  });
});
