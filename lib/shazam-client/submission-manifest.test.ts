import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLIENT_ERROR_CODES } from './errors.ts';
import { renderSubmissionManifest, type SubmissionManifestInput } from './submission-manifest.ts';

const sha = 'a'.repeat(64);
const input: SubmissionManifestInput = {
  name: 'b0chair001',
  asin: 'B0CHAIR001',
  revision: 1,
  artist: 'ana',
  stages: ['cleanup', 'uv', 'texturing'],
  delivery: { uri: 's3://shazam-incoming/incoming/B0CHAIR001/r1.zip', sha256: sha },
  product: { title: 'Oak chair', brand: 'Northwind', tags: ['chair', 'oak'] },
};

describe('renderSubmissionManifest', () => {
  it('writes a new AssetSubmission', () => {
    const document = parse(renderSubmissionManifest({ ...input, namespace: 'shop' }));
    expect(document).toEqual({
      apiVersion: 'pipeline.shazam.dev/v1alpha1',
      kind: 'AssetSubmission',
      metadata: { name: 'b0chair001', namespace: 'shop' },
      spec: {
        asin: 'B0CHAIR001',
        revision: 1,
        artist: 'ana',
        product: { title: 'Oak chair', brand: 'Northwind', tags: ['chair', 'oak'] },
        delivery: { uri: input.delivery.uri, sha256: sha },
        stages: ['cleanup', 'uv', 'texturing'],
      },
    });
  });

  it('updates an existing file for the next revision, keeping comments and product fields', () => {
    const existing = `# owned by the chairs team\n${renderSubmissionManifest(input)}`;
    const next = renderSubmissionManifest(
      {
        ...input,
        revision: 2,
        delivery: { uri: 's3://shazam-incoming/incoming/B0CHAIR001/r2.zip', sha256: 'b'.repeat(64) },
        product: {},
      },
      existing,
    );
    expect(next.startsWith('# owned by the chairs team\n')).toBe(true);
    const document = parse(next);
    expect(document.spec.revision).toBe(2);
    expect(document.spec.delivery.sha256).toBe('b'.repeat(64));
    expect(document.spec.product.title).toBe('Oak chair');
  });

  it('writes a new manifest as block YAML, one field a line', () => {
    const text = renderSubmissionManifest(input);
    expect(text.split('\n').slice(0, 9)).toEqual([
      'apiVersion: pipeline.shazam.dev/v1alpha1',
      'kind: AssetSubmission',
      'metadata:',
      '  name: b0chair001',
      'spec:',
      '  asin: B0CHAIR001',
      '  revision: 1',
      '  artist: ana',
      '  product:',
    ]);
    expect(text).not.toContain('{');
  });

  it('changes only the values of a new revision, keeping every other byte of the file', () => {
    const existing = [
      '# owned by the chairs team',
      'apiVersion: pipeline.shazam.dev/v1alpha1',
      'kind: AssetSubmission',
      'metadata:',
      '  name: b0chair001   # the ASIN in lower case',
      'spec:',
      '  asin: B0CHAIR001',
      '  revision: 1',
      '  artist: "ana"',
      '  product:',
      "    title: 'Oak chair'",
      '    brand: Northwind',
      '    tags: [chair, oak]',
      '    description: >-',
      '      A solid oak chair',
      '      with a long description.',
      '  delivery:',
      '    # the ZIP uploaded by shazam submit',
      `    uri: ${input.delivery.uri}`,
      `    sha256: ${sha}`,
      '  stages: [cleanup, uv, texturing]',
      '',
    ].join('\n');
    const next = renderSubmissionManifest(
      {
        ...input,
        revision: 2,
        delivery: { uri: 's3://shazam-incoming/incoming/B0CHAIR001/r2.zip', sha256: 'b'.repeat(64) },
        product: { tags: ['chair', 'oak', 'dining'] },
      },
      existing,
    );
    expect(next).toBe(
      existing
        .replace('revision: 1', 'revision: 2')
        .replace('tags: [chair, oak]', 'tags: [chair, oak, dining]')
        .replace(input.delivery.uri, 's3://shazam-incoming/incoming/B0CHAIR001/r2.zip')
        .replace(sha, 'b'.repeat(64)),
    );
  });

  it.each([
    // another ASIN in the same file: the ASIN is immutable
    [{ asin: 'B0OTHER001' }, /is for ASIN B0CHAIR001, not B0OTHER001/],
    // going back to an older revision
    [{ revision: 0 }, /already at revision 1/],
  ])('refuses to update with %j', (change, message) => {
    const existing = renderSubmissionManifest(input);
    expect(() => renderSubmissionManifest({ ...input, ...change }, existing)).toThrow(message);
  });

  it('requires the fields the CRD requires for a new submission, naming the flags', () => {
    const { artist: _artist, ...withoutArtist } = input;
    expect(() => renderSubmissionManifest({ ...withoutArtist, product: { title: 'Oak chair' } })).toThrow(
      expect.objectContaining({
        code: CLIENT_ERROR_CODES.gitopsInvalid,
        message: expect.stringMatching(/artist \(--artist.*product brand \(--brand\)/),
      }),
    );
  });
});
