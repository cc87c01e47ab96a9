import { describe, expect, it } from 'vitest';
import { parseDeliveryManifest } from './delivery-manifest.ts';

describe('parseDeliveryManifest', () => {
  it('reads a complete manifest', () => {
    const manifest = parseDeliveryManifest(
      'asin: B0CHAIR001\nrevision: 2\nartist: ana\nstages: [cleanup, uv]\nnotes: fixed the seam\n',
      'manifest.yaml',
    );
    expect(manifest).toEqual({
      asin: 'B0CHAIR001',
      revision: 2,
      artist: 'ana',
      stages: ['cleanup', 'uv'],
      notes: 'fixed the seam',
    });
  });

  it.each([
    // lower-case ASIN: the CRD pattern is upper-case only
    ['asin: b0chair001\nrevision: 1\n', /asin must be 10 characters/],
    // revision zero: revisions start at 1
    ['asin: B0CHAIR001\nrevision: 0\n', /revision must be a whole number ≥ 1/],
    // unknown stage name
    [
      'asin: B0CHAIR001\nrevision: 1\nstages: [rigging]\n',
      /stages must be a list drawn from cleanup, uv, texturing/,
    ],
    // a list instead of a mapping
    ['- asin\n', /must be a YAML mapping/],
    // broken YAML
    ['asin: [B0CHAIR001\n', /is not valid YAML/],
  ])('rejects %j', (text, message) => {
    expect(() => parseDeliveryManifest(text, 'd/manifest.yaml')).toThrow(message);
  });
});
