import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCrdCatalog } from './crd-catalog.ts';
import { LintError } from './errors.ts';
import { formatFinding, lintFiles, lintText, manifestFiles } from './lint-files.ts';
import { ObjectLinter } from './lint-object.ts';

const linter = new ObjectLinter(loadCrdCatalog());
const errorsOf = (text: string) =>
  lintText(text, 'm.yaml', linter).findings.filter((f) => f.severity === 'error');

const SUBMISSION = `apiVersion: pipeline.shazam.dev/v1alpha1
kind: AssetSubmission
metadata:
  name: mixer
spec:
  asin: B0D4KMX7Q2
  revision: 1
  artist: mira
  product:
    title: Stand Mixer
    brand: Hearthwell
  delivery:
    uri: s3://incoming/incoming/B0D4KMX7Q2/r1.zip
    sha256: 9f2c4e71b8a05d3e6c1f7a2b94d8e0c53a6f1b27d4e89c0a5b3f6d2e7c1a8b49
`;

describe('lintText', () => {
  it('accepts a valid submission', () => {
    expect(errorsOf(SUBMISSION)).toEqual([]);
  });

  it('points at the line of the offending field in the right document of a multi-document file', () => {
    const text = `${SUBMISSION}---\n${SUBMISSION.replace('name: mixer', 'name: mixer-2').replace('revision: 1', 'revision: 0')}`;
    const [error, ...rest] = errorsOf(text);
    expect(rest).toEqual([]);
    expect(error).toMatchObject({
      line: 15 + 7,
      kind: 'AssetSubmission',
      name: 'mixer-2',
      field: 'spec.revision',
    });
    expect(formatFinding(error!)).toBe(
      'm.yaml:22: AssetSubmission/mixer-2: spec.revision: Invalid value: 0: should be greater than or equal to 1',
    );
  });

  it('points a missing field at its parent', () => {
    const [error] = errorsOf(SUBMISSION.replace(/ {2}delivery:\n.*\n.*\n/, ''));
    expect(error).toMatchObject({ field: 'spec.delivery', message: 'Required value', line: 5 });
  });

  it('reports unknown fields at every level, and only those (strict decoding stops there)', () => {
    const text = SUBMISSION.replace('  name: mixer\n', '  name: mixer\n  labelz: {}\n')
      .replace('    brand: Hearthwell\n', '    brand: Hearthwell\n    colour: red\n')
      .replace('revision: 1', 'revision: 0');
    const errors = errorsOf(text);
    expect(errors.map((e) => [e.field, e.line])).toEqual([
      ['metadata.labelz', 5],
      ['spec.product.colour', 13],
    ]);
    expect(errors[1]!.message).toContain('unknown field "spec.product.colour"');
  });

  it('checks CEL rules once the schema passes, with the rule’s message and field', () => {
    const text = `apiVersion: pipeline.shazam.dev/v1alpha1
kind: QAReview
metadata: {name: r1}
spec:
  submissionRef: {name: mixer}
  decision: Rejected
  reviewer: dana
`;
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({
        field: 'spec.comments',
        line: 4,
        message: 'Required value: a Rejected review needs spec.comments that tell the artist what to fix',
      }),
    ]);
  });

  it('defaults before checking, as the apiserver does (a defaulted decision needs no reviewer)', () => {
    const text =
      'apiVersion: pipeline.shazam.dev/v1alpha1\nkind: QAReview\nmetadata: {name: r1}\nspec:\n  submissionRef: {name: m}\n';
    expect(errorsOf(text)).toEqual([]);
  });

  it('reads YAML 1.1 booleans as kubectl does, and says how to fix them', () => {
    const [error] = errorsOf(SUBMISSION.replace('brand: Hearthwell', 'brand: On'));
    expect(error).toMatchObject({ field: 'spec.product.brand', line: 11 });
    expect(error!.message).toContain('must be of type string');
    expect(error!.message).toContain('write "On"');
  });

  it('skips other kinds with a note, and still checks the SHAZAM documents beside them', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n---\n${SUBMISSION.replace('asin: B0D4KMX7Q2', 'asin: nope')}`;
    const result = lintText(text, 'm.yaml', linter);
    expect(result.checked).toBe(1);
    expect(result.skipped).toBe(1);
    expect(result.findings.find((f) => f.severity === 'note' && f.kind === 'ConfigMap')?.message).toContain(
      'not a SHAZAM kind',
    );
    expect(result.findings.filter((f) => f.severity === 'error').map((f) => [f.field, f.line])).toEqual([
      ['spec.asin', 11],
    ]);
  });

  it('reports an unknown version, an unknown SHAZAM kind, and a missing apiVersion', () => {
    expect(errorsOf(SUBMISSION.replace('v1alpha1', 'v1'))[0]).toMatchObject({ field: 'apiVersion' });
    expect(errorsOf(SUBMISSION.replace('kind: AssetSubmission', 'kind: Submission'))[0]).toMatchObject({
      field: 'kind',
    });
    expect(errorsOf('kind: AssetSubmission\nmetadata: {name: a}\n')[0]).toMatchObject({
      field: 'apiVersion',
      line: 1,
    });
  });

  it('reports YAML syntax errors with their line and ignores empty documents', () => {
    const errors = errorsOf('---\n---\napiVersion: v1\nkind: [unclosed\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^YAML syntax error/);
    expect(errors[0]!.line).toBeGreaterThanOrEqual(4);
    expect(lintText('# only a comment\n---\n', 'm.yaml', linter).findings).toEqual([]);
  });
});

describe('lintFiles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shazam-lint-'));
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'a.yaml'), SUBMISSION);
    await writeFile(join(dir, 'nested', 'b.yml'), SUBMISSION.replace('revision: 1', 'revision: 0'));
    await writeFile(join(dir, 'approve.patch.yaml'), 'spec:\n  decision: Approved\n');
    await writeFile(join(dir, 'notes.txt'), 'not yaml');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('walks directories for *.yaml and *.yml, leaving out patches and other files', async () => {
    expect(await manifestFiles([dir])).toEqual([join(dir, 'a.yaml'), join(dir, 'nested', 'b.yml')]);
    const report = await lintFiles([dir]);
    expect(report).toMatchObject({ files: 2, checked: 2, skipped: 0 });
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.file)).toEqual([
      join(dir, 'nested', 'b.yml'),
    ]);
  });

  it('reads a file named explicitly whatever its name, and skips YAML that is no Kubernetes object', async () => {
    const report = await lintFiles([join(dir, 'approve.patch.yaml')]);
    expect(report).toMatchObject({ files: 1, checked: 0, skipped: 1 });
    expect(report.findings).toEqual([
      expect.objectContaining({
        severity: 'note',
        message: 'skipped: not a Kubernetes object (no apiVersion or kind)',
      }),
    ]);
  });

  it('raises LINT_UNREADABLE for a missing path', async () => {
    await expect(lintFiles([join(dir, 'missing.yaml')])).rejects.toMatchObject({ code: 'LINT_UNREADABLE' });
    await expect(lintFiles([join(dir, 'missing.yaml')])).rejects.toBeInstanceOf(LintError);
  });
});

describe('status in a manifest', () => {
  it('is ignored like the apiserver ignores it on create, except for unknown fields', () => {
    const withStatus = `${SUBMISSION}status:\n  phase: Bogus\n`;
    const result = lintText(withStatus, 'm.yaml', linter);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.findings.map((f) => f.message)).toContain(
      'status is ignored on create: the operator writes it',
    );
    expect(errorsOf(`${SUBMISSION}status:\n  bogus: 1\n`)[0]).toMatchObject({
      field: 'status.bogus',
      line: 16,
    });
  });
});

describe('a v1 List', () => {
  it('checks each item, with the item’s own line', () => {
    const item = (name: string, revision: number) =>
      SUBMISSION.replace('name: mixer', `name: ${name}`)
        .replace('revision: 1', `revision: ${revision}`)
        .split('\n')
        .filter(Boolean)
        .map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))
        .join('\n');
    const text = `apiVersion: v1\nkind: List\nitems:\n${item('a', 1)}\n${item('b', 0)}\n`;
    const result = lintText(text, 'm.yaml', linter);
    expect(result.checked).toBe(2);
    // three lines of List header, fourteen of item a, then item b's seventh line
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([
      expect.objectContaining({ name: 'b', field: 'spec.revision', line: 3 + 14 + 7 }),
    ]);
  });
});
