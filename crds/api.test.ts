import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  API_VERSION,
  ASSET_SUBMISSION_PHASES,
  CATEGORY,
  CONDITION_STATUSES,
  FIDELITY_VERDICTS,
  GROUP,
  KINDS,
  QA_DECISIONS,
  QA_FINDING_AREAS,
  QA_REVIEW_PHASES,
  RENDER_FORMATS,
  RENDER_JOB_PHASES,
  RENDER_PRESETS,
  resolveRenderSettings,
  STAGES,
  VALIDATION_VERDICTS,
  VERSION,
} from './api.ts';

interface Node {
  enum?: string[];
  properties?: Record<string, Node>;
  items?: Node;
}

function crd(file: string) {
  return parse(readFileSync(new URL(file, import.meta.url), 'utf8'));
}

/** The schema node at a dotted path below openAPIV3Schema (`[]` steps into list items). */
function at(file: string, path: string): Node {
  let node: Node = crd(file).spec.versions[0].schema.openAPIV3Schema;
  for (const step of path.split('.')) {
    node = (step === '[]' ? node.items : node.properties?.[step]) as Node;
    if (!node) throw new Error(`${file}: no ${path}`);
  }
  return node;
}

describe('crds/api.ts', () => {
  it.each(KINDS.map((k) => [k.kind, k]))('names %s exactly as its CRD does', (_kind, names) => {
    const doc = crd(names.file);
    expect(doc.metadata.name).toBe(names.crdName);
    expect(doc.spec.group).toBe(GROUP);
    expect(doc.spec.scope).toBe('Namespaced');
    expect(doc.spec.names).toEqual({
      kind: names.kind,
      listKind: names.listKind,
      plural: names.plural,
      singular: names.singular,
      shortNames: [names.shortName],
      categories: [CATEGORY],
    });
    expect(doc.spec.versions.map((v: { name: string }) => v.name)).toEqual([VERSION]);
    expect(doc.spec.versions[0].subresources).toEqual({ status: {} });
    expect(API_VERSION).toBe(`${GROUP}/${VERSION}`);
  });

  it.each([
    ['assetsubmissions.yaml', 'status.phase', ASSET_SUBMISSION_PHASES],
    ['assetsubmissions.yaml', 'spec.stages.[]', STAGES],
    ['assetsubmissions.yaml', 'status.validation.verdict', VALIDATION_VERDICTS],
    ['assetsubmissions.yaml', 'status.rejection.findings.[].area', QA_FINDING_AREAS],
    ['assetsubmissions.yaml', 'spec.render.preset', RENDER_PRESETS],
    ['assetsubmissions.yaml', 'status.conditions.[].status', CONDITION_STATUSES],
    ['qareviews.yaml', 'spec.decision', QA_DECISIONS],
    ['qareviews.yaml', 'status.phase', QA_REVIEW_PHASES],
    ['qareviews.yaml', 'spec.findings.[].area', QA_FINDING_AREAS],
    ['qareviews.yaml', 'status.fidelity.references.[].verdict', FIDELITY_VERDICTS],
    ['renderjobs.yaml', 'status.phase', RENDER_JOB_PHASES],
    ['renderjobs.yaml', 'spec.formats.[]', RENDER_FORMATS],
    ['renderjobs.yaml', 'spec.preset', RENDER_PRESETS],
  ] as const)('%s %s enumerates the same values', (file, path, values) => {
    expect(at(file, path).enum).toEqual([...values]);
  });

  it.each([
    // nothing set: the renderer's defaults
    [{}, { frames: 36, resolution: 1024, elevation: 15, background: '#ffffff' }],
    // a preset fills what the spec leaves out
    [
      { preset: 'amazon-360' as const, elevation: 20 },
      { frames: 72, resolution: 2000, elevation: 20, background: '#ffffff' },
    ],
    // explicit fields win over the defaults
    [
      { frames: 48, background: 'transparent' },
      { frames: 48, resolution: 1024, elevation: 15, background: 'transparent' },
    ],
  ])('resolveRenderSettings(%j)', (request, settings) => {
    expect(resolveRenderSettings(request)).toEqual(settings);
  });
});
