import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type LockPackage, packageClosure, packageNameOf } from './package-closure.ts';

const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, LockPackage>;
};

describe('packageNameOf', () => {
  it.each([
    ['yaml', 'yaml'],
    ['@aws-sdk/client-s3', '@aws-sdk/client-s3'],
    ['@gltf-transform/functions/dist/x.js', '@gltf-transform/functions'],
    ['tsx/esm/api', 'tsx'],
  ])('%s → %s', (specifier, name) => {
    expect(packageNameOf(specifier)).toBe(name);
  });
});

describe('packageClosure', () => {
  const packages: Record<string, LockPackage> = {
    '': {},
    'node_modules/a': { dependencies: { b: '^1', c: '^2' } },
    'node_modules/b': { dependencies: { c: '^1' } },
    // b needs c@1, nested; a gets the hoisted c@2.
    'node_modules/b/node_modules/c': { version: '1.0.0' },
    'node_modules/c': { version: '2.0.0' },
    'node_modules/d': { optionalDependencies: { 'd-linux': '1', 'd-darwin': '1', 'd-missing': '1' } },
    'node_modules/d-linux': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
    'node_modules/d-darwin': { os: ['darwin'] },
    'node_modules/d-musl': { os: ['linux'], libc: ['musl'] },
    'node_modules/unrelated': {},
  };

  it('follows nested node_modules the way Node resolves them', () => {
    expect(packageClosure(packages, ['a'])).toEqual([
      'node_modules/a',
      'node_modules/b',
      'node_modules/b/node_modules/c',
      'node_modules/c',
    ]);
  });

  it('keeps optional packages for linux/x64/glibc only, and tolerates absent ones', () => {
    expect(packageClosure(packages, ['d'])).toEqual(['node_modules/d', 'node_modules/d-linux']);
  });

  it('fails on a root the lockfile lacks', () => {
    expect(() => packageClosure(packages, ['nope'])).toThrow(/nope/);
  });

  it('keeps Pulumi out of a closure rooted at the worker packages of the real lockfile', () => {
    const closure = packageClosure(lock.packages, ['@kubernetes/client-node', 'yaml', 'sharp']);
    expect(closure).toContain('node_modules/@kubernetes/client-node');
    expect(closure).toContain('node_modules/@img/sharp-linux-x64');
    expect(closure.some((path) => path.includes('@pulumi/'))).toBe(false);
    expect(closure.some((path) => path.includes('sharp-darwin'))).toBe(false);
  });
});
