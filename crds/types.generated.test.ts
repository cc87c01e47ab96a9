import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CRD_DIR, generateCrdTypes, readCrdTypeSources, TYPES_FILE } from '../scripts/gen-crd-types.ts';

describe('crds/types.generated.ts', () => {
  it('equals a fresh generation from crds/*.yaml (run `npx tsx scripts/gen-crd-types.ts` after editing a CRD)', async () => {
    const fresh = generateCrdTypes(await readCrdTypeSources(CRD_DIR));
    expect(readFileSync(TYPES_FILE, 'utf8')).toBe(fresh);
  });

  it('exports every kind with its spec and status', () => {
    const text = readFileSync(TYPES_FILE, 'utf8');
    for (const name of ['AssetSubmission', 'QAReview', 'RenderJob']) {
      for (const suffix of ['', 'Spec', 'Status'])
        expect(text).toContain(`export interface ${name}${suffix} {`);
    }
    expect(text.match(/export interface Condition \{/g)).toHaveLength(1);
  });

  it('marks required fields required, enums as unions and defaults in the docs', () => {
    const text = generateCrdTypes([
      {
        kind: 'Widget',
        apiVersion: 'example.dev/v1',
        schema: {
          type: 'object',
          required: ['spec'],
          properties: {
            spec: {
              type: 'object',
              required: ['size'],
              properties: {
                size: { type: 'integer', description: 'How big.' },
                colour: { type: 'string', enum: ['red', 'blue'], default: 'red' },
                parts: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } },
              },
            },
          },
        },
      },
    ]);
    expect(text).toContain("  kind: 'Widget';");
    expect(text).toContain('  /** How big. */\n  size: number;');
    expect(text).toContain("colour?: 'red' | 'blue';");
    expect(text).toContain('@defaultValue `"red"`');
    expect(text).toContain('parts?: WidgetSpecParts[];');
    expect(text).toContain('export interface WidgetSpecParts {');
  });

  it('refuses two different shapes under one type name', () => {
    const condition = (extra: Record<string, unknown>) => ({
      type: 'object' as const,
      properties: {
        conditions: {
          type: 'array',
          items: { type: 'object', properties: { type: { type: 'string' }, ...extra } },
        },
      },
    });
    const kind = (name: string, status: object) => ({
      kind: name,
      apiVersion: 'example.dev/v1',
      schema: { type: 'object', properties: { status } },
    });
    expect(() =>
      generateCrdTypes([kind('A', condition({})), kind('B', condition({ extra: { type: 'string' } }))]),
    ).toThrow(/two different schemas want the type name Condition/);
  });
});
