import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyDefaults } from '../lint/apply-defaults.ts';
import { loadCrdCatalog } from '../lint/crd-catalog.ts';
import { lintFiles, lintText } from '../lint/lint-files.ts';
import { ObjectLinter } from '../lint/lint-object.ts';
import { createNamespace, kubectl } from '../test/harness/index.ts';
import { API_VERSION, ASSET_SUBMISSION, GROUP, QA_REVIEW, RENDER_JOB, VERSION } from './api.ts';

const examplesDir = fileURLToPath(new URL('../examples/', import.meta.url));
const invalidDir = join(examplesDir, 'invalid');
const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('.patch.yaml'))
    .sort()
    .map((f) => join(dir, f));
const validExamples = yamlIn(examplesDir);
const invalidExamples = yamlIn(invalidDir);

/** `# expect-error: <field>: <message part>` lines of an invalid example. */
function expectations(file: string): Array<{ field: string; message: string }> {
  return [...readFileSync(file, 'utf8').matchAll(/^# expect-error: (\S+): (.+)$/gm)].map((m) => ({
    field: m[1]!,
    message: m[2]!,
  }));
}

const asub = (name: string, asin = 'B0D4KMX7Q2') => ({
  apiVersion: API_VERSION,
  kind: ASSET_SUBMISSION.kind,
  metadata: { name },
  spec: {
    asin,
    revision: 1,
    artist: 'mira.okafor@studio.example',
    product: { title: 'Stand Mixer', brand: 'Hearthwell' },
    delivery: {
      uri: `s3://shazam-incoming/incoming/${asin}/r1.zip`,
      sha256: '9f2c4e71b8a05d3e6c1f7a2b94d8e0c53a6f1b27d4e89c0a5b3f6d2e7c1a8b49',
    },
  },
});

const qar = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: API_VERSION,
  kind: QA_REVIEW.kind,
  metadata: { name },
  spec: { submissionRef: { name: 'stand-mixer-pistachio' }, ...spec },
});

describe('the SHAZAM CRDs on a real kube-apiserver', () => {
  let ns: string;
  const create = (object: unknown) =>
    kubectl(['create', '-n', ns, '-f', '-'], { input: JSON.stringify(object) });
  const patch = (resource: string, name: string, body: unknown, ...extra: string[]) =>
    kubectl(['patch', '-n', ns, resource, name, '--type=merge', '-p', JSON.stringify(body), ...extra]);
  const patchFile = (resource: string, name: string, example: string) =>
    kubectl(['patch', '-n', ns, resource, name, '--type=merge', '--patch-file', join(examplesDir, example)]);
  const getJson = async (resource: string, name: string) => {
    const got = await kubectl(['get', '-n', ns, resource, name, '-o', 'json']);
    expect(got.stderr).toBe('');
    return JSON.parse(got.stdout) as { spec: Record<string, unknown> };
  };

  beforeAll(async () => {
    ns = await createNamespace('api');
  });

  it('finds the examples', () => {
    expect(validExamples.length).toBeGreaterThanOrEqual(5);
    expect(invalidExamples.length).toBeGreaterThanOrEqual(20);
    for (const file of invalidExamples) expect(expectations(file), file).not.toHaveLength(0);
  });

  it.each(validExamples.map((f) => [f.slice(examplesDir.length), f]))(
    'accepts %s, and so does shazam lint',
    async (_name, file) => {
      const applied = await kubectl(['create', '-n', ns, '-f', file]);
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
      const report = await lintFiles([file]);
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(report.checked).toBe(1);
    },
  );

  it.each(invalidExamples.map((f) => [f.slice(invalidDir.length + 1), f]))(
    'rejects invalid/%s with the stated error, and so does shazam lint',
    async (_name, file) => {
      const applied = await kubectl(['create', '-n', ns, '-f', file]);
      expect(applied.code).not.toBe(0);
      const report = await lintFiles([file]);
      const errors = report.findings.filter((f) => f.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      for (const { field, message } of expectations(file)) {
        expect(applied.stderr).toContain(field);
        expect(applied.stderr).toContain(message);
        expect(
          errors.some((e) => e.field === field && e.message.includes(message)),
          `lint says ${JSON.stringify(errors)}`,
        ).toBe(true);
      }
    },
  );

  const duck = readFileSync(join(examplesDir, 'asub-rubber-duck.yaml'), 'utf8');
  const variant = (name: string, from: string | RegExp, to: string) =>
    duck.replace('name: rubber-duck-classic', `name: ${name}`).replace(from, to);
  it.each([
    // names and values YAML 1.1 would read as numbers in some parsers but go-yaml keeps as strings
    ['e1', 'accepts', variant('e1', 'asin: B0BD8UCK51', 'asin: B0BD8UCK51')],
    ['sexagesimal-looking brand', 'accepts', variant('v-time', /brand: .*/, 'brand: 12:30')],
    ['date-looking brand', 'accepts', variant('v-date', /brand: .*/, 'brand: 2001-12-14')],
    // integer spellings go-yaml reads as numbers
    ['octal revision', 'accepts', variant('v-octal', 'revision: 1', 'revision: 010')],
    ['0o brand', 'rejects', variant('v-0o', /brand: .*/, 'brand: 0o17')],
    ['underscored frames', 'rejects', variant('v-underscore', 'frames: 48', 'frames: 1_000')],
    ['fractional revision', 'rejects', variant('v-frac', 'revision: 1', 'revision: 1.5')],
    ['YAML 1.1 boolean tags', 'rejects', variant('v-bool', /tags: .*/, 'tags: [yes, no]')],
    // null in a non-nullable field is dropped; in a list it is an error
    ['null render', 'accepts', variant('v-null', /render:[\s\S]*$/, 'render: null\n')],
    [
      'null stage',
      'rejects',
      variant('v-null-stage', 'stages: [cleanup, uv]', 'stages: [cleanup, uv, null]'),
    ],
    // status is dropped on create, but its unknown fields still fail strict decoding
    ['status with any phase', 'accepts', `${variant('v-status', '', '')}status:\n  phase: Bogus\n`],
    ['status with an unknown field', 'rejects', `${variant('v-status-x', '', '')}status:\n  bogus: 1\n`],
  ])('agrees with shazam lint on %s (both %s)', async (_case, verdict, text) => {
    const applied = await kubectl(['create', '--dry-run=server', '-n', ns, '-f', '-'], { input: text });
    const linted = lintText(text, 'variant.yaml', new ObjectLinter(loadCrdCatalog()));
    const lintAccepts = !linted.findings.some((f) => f.severity === 'error');
    expect({ apiserver: applied.code === 0, lint: lintAccepts }).toEqual({
      apiserver: verdict === 'accepts',
      lint: verdict === 'accepts',
    });
  });

  it('applies the QA decision patches to an open review, then refuses to change the decision', async () => {
    expect((await create(qar('mixer-r1-patch'))).code).toBe(0);
    const approve = await patchFile(QA_REVIEW.shortName, 'mixer-r1-patch', 'qareview-approve.patch.yaml');
    expect(approve.stderr).toBe('');
    expect((await getJson(QA_REVIEW.plural, 'mixer-r1-patch')).spec.decision).toBe('Approved');
    const reject = await patchFile(QA_REVIEW.shortName, 'mixer-r1-patch', 'qareview-reject.patch.yaml');
    expect(reject.code).not.toBe(0);
    expect(reject.stderr).toContain('spec.decision is final: this review was Approved');
  });

  it('refuses to change a rejected decision back to Pending, but lets a Pending review be decided', async () => {
    expect((await create(qar('mixer-r2'))).code).toBe(0);
    expect((await getJson(QA_REVIEW.plural, 'mixer-r2')).spec.decision).toBe('Pending');
    const reject = await patch('qareview', 'mixer-r2', {
      spec: { decision: 'Rejected', comments: 'Handle is mirrored.' },
    });
    expect(reject.stderr).toBe('');
    const reopen = await patch('qareview', 'mixer-r2', { spec: { decision: 'Pending' } });
    expect(reopen.stderr).toContain('spec.decision is final: this review was Rejected');
  });

  it('refuses to change a review’s submissionRef', async () => {
    expect((await create(qar('mixer-r3'))).code).toBe(0);
    const moved = await patch('qareview', 'mixer-r3', { spec: { submissionRef: { name: 'other' } } });
    expect(moved.stderr).toContain('spec.submissionRef is immutable');
  });

  it('refuses to change an ASIN or lower the revision, but accepts a new revision', async () => {
    expect((await create(asub('asin-change'))).code).toBe(0);
    const changed = await patch(ASSET_SUBMISSION.shortName, 'asin-change', { spec: { asin: 'B0C9WB2R6T' } });
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('spec.asin is immutable');
    const revised = await patch(ASSET_SUBMISSION.shortName, 'asin-change', { spec: { revision: 2 } });
    expect(revised.stderr).toBe('');
    const lowered = await patch(ASSET_SUBMISSION.shortName, 'asin-change', { spec: { revision: 1 } });
    expect(lowered.stderr).toContain('spec.revision cannot go down');
  });

  it('refuses to change a RenderJob’s spec', async () => {
    const job = parse(readFileSync(join(examplesDir, 'renderjob-amazon-360.yaml'), 'utf8'));
    job.metadata.name = 'rerender';
    expect((await create(job)).code).toBe(0);
    const changed = await patch(RENDER_JOB.shortName, 'rerender', { spec: { elevation: 20 } });
    expect(changed.stderr).toContain("a RenderJob's spec is immutable");
  });

  it('fills in the same defaults as shazam lint', async () => {
    const job = {
      apiVersion: API_VERSION,
      kind: RENDER_JOB.kind,
      metadata: { name: 'defaults' },
      spec: {
        source: { uri: 's3://shazam-assets/assets/B0D4KMX7Q2/versions/1/model.glb' },
        output: { uri: 's3://shazam-assets/assets/B0D4KMX7Q2/versions/1/renders/' },
      },
    };
    const sub = asub('defaults');
    expect((await create(job)).code).toBe(0);
    expect((await create(sub)).code).toBe(0);
    const catalog = loadCrdCatalog();
    for (const [object, plural] of [
      [job, RENDER_JOB.plural],
      [sub, ASSET_SUBMISSION.plural],
    ] as const) {
      const crd = catalog.versionsOf(GROUP, object.kind)[0]!;
      const linted = applyDefaults(crd.schema, object) as { spec: unknown };
      expect((await getJson(plural, 'defaults')).spec).toEqual(linted.spec);
    }
    expect((await getJson(RENDER_JOB.plural, 'defaults')).spec).toMatchObject({
      formats: ['webp'],
      gpu: { required: true, resourceName: 'nvidia.com/gpu', count: 1 },
    });
  });

  it('keeps a complete status written through the status subresource, and prints the columns', async () => {
    expect((await create(asub('columns', 'B0BD8UCK51'))).code).toBe(0);
    const status = {
      observedGeneration: 1,
      phase: 'Published',
      message: 'Version 1 of B0BD8UCK51 is live.',
      liveVersion: 1,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Published',
          message: 'r1 is live',
          lastTransitionTime: '2026-11-21T10:00:00Z',
          observedGeneration: 1,
        },
      ],
      validation: {
        verdict: 'Passed',
        stages: { cleanup: 'Passed', uv: 'Passed', texturing: 'Passed' },
        errors: 0,
        warnings: 1,
        findings: [
          {
            severity: 'Warning',
            code: 'NON_POWER_OF_TWO',
            stage: 'texturing',
            message: 'texture 0 is 1000x1000',
          },
        ],
        reportUri: 's3://a/b.json',
        completedAt: '2026-11-21T09:00:00Z',
      },
      version: 1,
      children: {
        validationJob: 'columns-validate-1',
        qaReview: 'columns-r1',
        renderJob: 'columns-r1-render',
      },
      published: {
        version: 1,
        bucket: 'shazam-assets',
        prefix: 'assets/B0BD8UCK51/versions/1/',
        glbUrl: 'https://cdn.example/x.glb',
        webGlbUrl: 'https://cdn.example/x.web.glb',
        posterUrl: 'https://cdn.example/p.webp',
        spin: { frameCount: 36, urlTemplate: 'https://cdn.example/360/{frame}.webp' },
        descriptorsUri: 's3://shazam-assets/d.json',
        publishedAt: '2026-11-21T10:00:00Z',
      },
    };
    const patched = await patch('asub', 'columns', { status }, '--subresource=status');
    expect(patched.stderr).toBe('');
    const stored = (await getJson('asub', 'columns')) as unknown as { status: unknown };
    expect(stored.status).toEqual(status);

    const table = await kubectl(['get', '-n', ns, 'asub', 'columns']);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'ASIN', 'REV', 'PHASE', 'READY', 'LIVE', 'AGE']);
    expect(row!.split(/\s+/).slice(0, 6)).toEqual(['columns', 'B0BD8UCK51', '1', 'Published', 'True', '1']);
    const wide = await kubectl(['get', '-n', ns, 'asub', 'columns', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/LIVE\s+MESSAGE\s+ARTIST\s+TITLE\s+AGE/);
    expect(wide.stdout).toContain('Version 1 of B0BD8UCK51 is live.');
    expect((await create(qar('columns-r1'))).code).toBe(0);
    const reviews = await kubectl(['get', '-n', ns, 'qar', 'columns-r1']);
    expect(reviews.stdout.split('\n')[0]!.split(/\s+/)).toContain('PHASE');
    const all = await kubectl(['get', '-n', ns, 'shazam']);
    expect(all.stdout).toContain('assetsubmission.pipeline.shazam.dev/columns');
  });

  it('explains the delivery fields with kubectl explain', async () => {
    const explained = await kubectl(['explain', 'assetsubmission.spec.delivery']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain(`GROUP:      ${GROUP}`);
    expect(explained.stdout).toContain(`VERSION:    ${VERSION}`);
    expect(explained.stdout).toMatch(/sha256\s+<string> -required-/);
    expect(explained.stdout).toContain('The SHA-256 of the ZIP as 64 lower-case hexadecimal characters');
    expect(explained.stdout).toMatch(/uri\s+<string> -required-/);
  });
});
