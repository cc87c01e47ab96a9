import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kubectl } from '../../test/harness/index.ts';
import { PromotionError, setImageTag } from './set-image-tag.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const SHA = '3f9c2d1e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d';

/** A copy of manifests/ whose overlays can be edited without touching the working tree. */
async function manifestsCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shazam-promote-'));
  await cp(join(repo, 'manifests'), join(dir, 'manifests'), { recursive: true });
  await cp(join(repo, 'crds'), join(dir, 'crds'), { recursive: true });
  return dir;
}

describe('set-image-tag (GitOps promotion)', () => {
  it('retags every image of the prod overlay: both Deployments and the Job images the operator starts', async () => {
    const dir = await manifestsCopy();
    const path = join(dir, 'manifests/overlays/prod/kustomization.yaml');
    const before = await readFile(path, 'utf8');
    await writeFile(path, setImageTag(before, SHA));
    const after = await readFile(path, 'utf8');
    // Comments and the rest of the file survive the edit.
    expect(after.split('\n').filter((line) => line.trim().startsWith('#'))).toEqual(
      before.split('\n').filter((line) => line.trim().startsWith('#')),
    );

    const rendered = await kubectl(['kustomize', join(dir, 'manifests/overlays/prod')]);
    expect(rendered.stderr).toBe('');
    const images = [...rendered.stdout.matchAll(/(?:image: |Image: )(\S+)/g)].map((m) => m[1]);
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const image of images) expect(image).toMatch(new RegExp(`:${SHA}$`));
    expect(rendered.stdout).not.toMatch(/:0\.1\.0\b/);
  });

  it('runs as a program from the workflow', async () => {
    const dir = await manifestsCopy();
    const overlay = join(dir, 'manifests/overlays/prod');
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('set-image-tag.ts', import.meta.url)), overlay, SHA],
        { cwd: repo },
        (error, stdout) => resolve({ code: error ? 1 : 0, stdout }),
      );
    });
    expect(result.code).toBe(0);
    expect(await readFile(join(overlay, 'kustomization.yaml'), 'utf8')).toContain(`newTag: ${SHA}`);
  });

  it.each([
    ['a tag with a slash', 'overlay', 'feature/x', /not a valid image tag/],
    ['an overlay without images', 'resources: [../../base]\n', SHA, /no `images:` list/],
    [
      'an overlay that forgets the render image',
      'images:\n  - name: ghcr.io/shazam-dev/shazam\n    newTag: a\n',
      SHA,
      /does not retag ghcr.io\/shazam-dev\/shazam-render/,
    ],
  ])('refuses %s', (_case, source, tag, message) => {
    const text = source === 'overlay' ? 'images:\n  - name: ghcr.io/shazam-dev/shazam\n' : source;
    expect(() => setImageTag(text, tag)).toThrow(PromotionError);
    expect(() => setImageTag(text, tag)).toThrow(message);
  });
});
