import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, PolicyError, resolvePolicy } from './load-policy.ts';
import { DEFAULT_POLICY } from './policy.ts';

describe('resolvePolicy', () => {
  it('returns the defaults for an empty override and never shares them', () => {
    const policy = resolvePolicy(undefined);
    expect(policy).toEqual(DEFAULT_POLICY);
    policy.cleanup.maxTriangles = 1;
    expect(DEFAULT_POLICY.cleanup.maxTriangles).toBe(100_000);
  });

  it('merges a partial override section by section', () => {
    const policy = resolvePolicy({
      cleanup: { maxTriangles: 50_000 },
      severities: { CLEANUP_NAMES: 'error' },
    });
    expect(policy.cleanup.maxTriangles).toBe(50_000);
    expect(policy.cleanup.maxVertices).toBe(DEFAULT_POLICY.cleanup.maxVertices);
    expect(policy.texturing).toEqual(DEFAULT_POLICY.texturing);
    expect(policy.severities).toEqual({ CLEANUP_NAMES: 'error' });
  });

  it('keeps the rest of a nested section when an override names only part of it', () => {
    const policy = resolvePolicy({ texturing: { baseColorLuminance: { min: 20 } } });
    expect(policy.texturing.baseColorLuminance).toEqual({
      min: 20,
      max: DEFAULT_POLICY.texturing.baseColorLuminance.max,
    });
    expect(policy.texturing.maxTextureSize).toBe(DEFAULT_POLICY.texturing.maxTextureSize);
  });

  it('holds the defaults to the same schema an override is checked against', () => {
    expect(resolvePolicy(structuredClone(DEFAULT_POLICY))).toEqual(DEFAULT_POLICY);
  });

  it.each([
    // each row: a bad override, and words the message must contain
    [{ cleanup: { maxTriangle: 5 } }, ['/cleanup', 'maxTriangle']],
    [{ cleanup: { maxTriangles: -1 } }, ['/cleanup/maxTriangles', '>= 1']],
    [{ texturing: { requirePowerOfTwo: 'yes' } }, ['/texturing/requirePowerOfTwo', 'boolean']],
    [{ web: { compression: 'zip' } }, ['/web/compression', 'allowed values']],
    [{ severities: { CLEANUP_NAMES: 'fatal' } }, ['/severities/CLEANUP_NAMES']],
    [{ texturing: { baseColorLuminance: { mid: 3 } } }, ['/texturing/baseColorLuminance', 'mid']],
    [{ cleanup: { minExtentMeters: 5, maxExtentMeters: 1 } }, ['minExtentMeters', 'exceeds']],
    [
      [1, 2],
      ['(top level)', 'object'],
    ],
  ])('rejects %j naming the problem', (override, words) => {
    let error: unknown;
    try {
      resolvePolicy(override, 'team.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).code).toBe('POLICY_INVALID');
    for (const word of [...words, 'team.yaml']) expect((error as Error).message).toContain(word);
  });
});

describe('loadPolicy', () => {
  it('reads YAML overrides from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shazam-policy-'));
    try {
      const path = join(dir, 'policy.yaml');
      await writeFile(path, 'cleanup:\n  maxTriangles: 20000\nreferences:\n  minCount: 3\n');
      const policy = await loadPolicy(path);
      expect(policy.cleanup.maxTriangles).toBe(20_000);
      expect(policy.references.minCount).toBe(3);
      await writeFile(path, 'cleanup: [unclosed\n');
      await expect(loadPolicy(path)).rejects.toThrow('not valid YAML');
      await expect(loadPolicy(join(dir, 'missing.yaml'))).rejects.toMatchObject({
        code: 'POLICY_UNREADABLE',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
