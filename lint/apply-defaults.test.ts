import { describe, expect, it } from 'vitest';
import { applyDefaults } from './apply-defaults.ts';
import type { KubeSchema } from './kube-schema.ts';

const schema: KubeSchema = {
  type: 'object',
  properties: {
    frames: { type: 'integer', default: 36 },
    formats: { type: 'array', default: ['webp'], items: { type: 'string' } },
    gpu: {
      type: 'object',
      default: {},
      properties: {
        required: { type: 'boolean', default: true },
        count: { type: 'integer', default: 1 },
      },
    },
    note: { type: 'string', nullable: true, default: 'x' },
    parts: {
      type: 'array',
      items: { type: 'object', properties: { weight: { type: 'number', default: 1 } } },
    },
  },
};

describe('applyDefaults', () => {
  it.each([
    // an empty object gets every default, and defaulting continues inside a defaulted object
    [{}, { frames: 36, formats: ['webp'], gpu: { required: true, count: 1 }, note: 'x' }],
    // set values are kept; defaults fill the rest of a partly set object
    [
      { frames: 72, gpu: { count: 2 } },
      { frames: 72, formats: ['webp'], gpu: { required: true, count: 2 }, note: 'x' },
    ],
    // null in a non-nullable field counts as absent, so the default applies
    [{ frames: null }, { frames: 36, formats: ['webp'], gpu: { required: true, count: 1 }, note: 'x' }],
    // null in a nullable field stays null
    [{ note: null }, { frames: 36, formats: ['webp'], gpu: { required: true, count: 1 }, note: null }],
    // list items are defaulted one by one
    [
      { parts: [{}, { weight: 3 }] },
      {
        frames: 36,
        formats: ['webp'],
        gpu: { required: true, count: 1 },
        note: 'x',
        parts: [{ weight: 1 }, { weight: 3 }],
      },
    ],
  ])('defaults %j', (input, expected) => {
    expect(applyDefaults(schema, input)).toEqual(expected);
  });

  it('leaves the input and the schema defaults untouched', () => {
    const input = { gpu: {} };
    const out = applyDefaults(schema, input) as { formats: string[] };
    out.formats.push('png');
    expect(input).toEqual({ gpu: {} });
    expect(schema.properties?.formats?.default).toEqual(['webp']);
  });

  it('returns values of the wrong type unchanged for validation to report', () => {
    expect(applyDefaults(schema, 'text')).toBe('text');
    expect(applyDefaults(schema, { gpu: 'yes' })).toMatchObject({ gpu: 'yes' });
  });
});
