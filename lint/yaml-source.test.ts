import { describe, expect, it } from 'vitest';
import { fieldSegments, parseManifestFile } from './yaml-source.ts';

function scalarValue(scalar: string): unknown {
  const [doc] = parseManifestFile(`v: ${scalar}`).documents;
  if (!doc) throw new Error(`v: ${scalar} gave no document`);
  return (doc.value as { v: unknown }).v;
}

describe('parseManifestFile reads plain scalars as kubectl (go-yaml v2) does', () => {
  it.each([
    // YAML 1.1 booleans, the classic surprise
    ['yes', true],
    ['On', true],
    ['n', false],
    // integers in every base go-yaml accepts
    ['010', 8],
    ['0x30', 48],
    ['0o17', 15],
    ['1_000', 1000],
    // floats need a digit
    ['1.5e-3', 0.0015],
    ['.5', 0.5],
    // what the yaml package's 1.1 schema would turn into numbers or dates, and go-yaml keeps as strings
    ['e1', 'e1'],
    ['1:20', '1:20'],
    ['2001-12-14', '2001-12-14'],
    ['.', '.'],
  ])('%s → %j', (scalar, expected) => {
    expect(scalarValue(scalar)).toEqual(expected);
  });
});

describe('SourceDocument', () => {
  const text = '# a comment\napiVersion: v1\nkind: List\nitems:\n  - a: 1\n    b: [x, y]\n';
  const [doc] = parseManifestFile(text).documents;

  it('finds the line of a field, of a list item, and of the nearest parent of a missing field', () => {
    expect(doc?.line).toBe(2);
    expect(doc?.lineOf('kind')).toBe(3);
    expect(doc?.lineOf('items[0].b[1]')).toBe(6);
    expect(doc?.lineOf('items[0].missing')).toBe(5);
    expect(doc?.lineOf('')).toBe(2);
  });

  it('gives the source of plain scalars only', () => {
    expect(doc?.plainScalarAt('items[0].b[0]')).toBe('x');
    expect(parseManifestFile('v: "yes"').documents[0]?.plainScalarAt('v')).toBeUndefined();
  });

  it('splits field paths', () => {
    expect(fieldSegments('spec.findings[2].area')).toEqual(['spec', 'findings', 2, 'area']);
  });
});
