import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IMAGES } from '../../images/definitions.ts';
import { SHAZAM_IMAGES, setImageTag } from './set-image-tag.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps?: Step[]; uses?: string; with?: Record<string, unknown>; needs?: string }>;
}

let workflows: Map<string, Workflow>;
beforeAll(async () => {
  workflows = new Map();
  const dir = join(repo, '.github/workflows');
  for (const file of await readdir(dir)) {
    if (file.endsWith('.yaml'))
      workflows.set(file, parse(await readFile(join(dir, file), 'utf8')) as Workflow);
  }
});

const steps = (name: string) =>
  Object.values(workflows.get(name)?.jobs ?? {}).flatMap((job) => job.steps ?? []);

describe('delivery workflows', () => {
  it('test.yaml runs the project test command on every pull request', () => {
    expect(workflows.get('test.yaml')?.on).toHaveProperty('pull_request');
    expect(steps('test.yaml').map((step) => step.run)).toContain('npm test');
  });

  it('images.yaml builds with scripts/build-images.sh (no daemon) on main and pushes the deployed images by commit', () => {
    const workflow = workflows.get('images.yaml');
    expect((workflow?.on as { push?: { branches: string[] } } | undefined)?.push?.branches).toEqual(['main']);
    expect(workflow?.permissions).toMatchObject({ 'id-token': 'write', contents: 'read' });
    const all = steps('images.yaml');
    const build = all.find((step) => step.run?.includes('scripts/build-images.sh'));
    expect(build?.run).toContain('scripts/build-images.sh --tag "$GITHUB_SHA" --out "$RUNNER_TEMP/images"');
    expect(all.filter((step) => step.uses?.startsWith('docker/'))).toEqual([]);
    expect(all.map((step) => step.run ?? '').join('\n')).not.toMatch(/\bdocker (build|login|push)\b/);
    // The images pushed are the ones the overlays retag on promotion, each built by build-images.sh.
    const job = workflow?.jobs.build as unknown as { env?: { PUSH_IMAGES?: string } } | undefined;
    const pushed = (job?.env?.PUSH_IMAGES ?? '').split(/\s+/).filter(Boolean).sort();
    const retagged = SHAZAM_IMAGES.map((repository) => IMAGES.find((i) => i.repository === repository)?.name);
    expect(pushed).toEqual([...retagged].sort());
    const push = all.find((step) => step.run?.includes('skopeo copy'));
    expect(push?.run).toContain('for image in $PUSH_IMAGES');
    expect(push?.run).toContain(
      '"oci-archive:$RUNNER_TEMP/images/$image.oci.tar" "docker://$ECR_REGISTRY/$image:$GITHUB_SHA"',
    );
    expect(JSON.stringify(workflow)).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key/);
  });

  it('promote.yaml moves an overlay to a commit through set-image-tag.ts and a pull request', () => {
    const runs = steps('promote.yaml').map((step) => step.run ?? '');
    expect(
      runs.some((run) =>
        run.includes('npx tsx .github/scripts/set-image-tag.ts "manifests/overlays/$OVERLAY" "$TAG"'),
      ),
    ).toBe(true);
    expect(runs.some((run) => run.includes('gh pr create'))).toBe(true);
    expect(workflows.get('images.yaml')?.jobs['promote-dev']).toMatchObject({
      uses: './.github/workflows/promote.yaml',
      with: { overlay: 'dev' },
    });
  });

  it('submissions-lint.yaml runs shazam lint exactly as a submissions repository would', async () => {
    const step = steps('submissions-lint.yaml').find((s) => s.run?.includes('lint'));
    expect(step?.run).toBe('node shazam/bin/shazam.js lint "submissions/$LINT_PATH"');
    // The workflow's two checkouts, side by side: this repository as shazam/, a submissions repository.
    const workspace = await mkdtemp(join(tmpdir(), 'shazam-submissions-'));
    await symlink(repo, join(workspace, 'shazam'));
    await cp(join(repo, 'examples'), join(workspace, 'submissions/submissions'), {
      recursive: true,
      filter: (source) =>
        !source.includes('/invalid') &&
        !source.includes('/deliveries') &&
        !source.includes('/storefront') &&
        !source.includes('/qa'),
    });
    const run = (path: string) =>
      new Promise<{ code: number; output: string }>((resolve) => {
        execFile(
          'bash',
          ['-c', step?.run ?? 'false'],
          { cwd: workspace, env: { ...process.env, LINT_PATH: path }, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
        );
      });
    const valid = await run('submissions');
    expect(valid.output).toMatch(/[1-9]\d* SHAZAM object\(s\) checked.*: 0 error\(s\)/);
    expect(valid.code).toBe(0);

    // A pull request with a broken manifest fails the check.
    const [invalid] = (await readdir(join(repo, 'examples/invalid'))).filter((file) =>
      file.endsWith('.yaml'),
    );
    await cp(
      join(repo, 'examples/invalid', invalid ?? ''),
      join(workspace, 'submissions/broken', invalid ?? ''),
    );
    const broken = await run('broken');
    expect(broken.code).not.toBe(0);
    expect(broken.output).toMatch(/[1-9]\d* error\(s\)/);
  });
});

/** GitHub's path filter globs: `**` crosses folders, `*` and `?` stay within one. */
function pathPattern(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('**', '\u0000')
    .replaceAll('*', '[^/]*')
    .replaceAll('?', '[^/]')
    .replaceAll('\u0000', '.*');
  return new RegExp(`^${source}$`);
}

/** Whether a push changing `files` starts a workflow with this `on.push` (branches already matched). */
function pushTriggers(push: { paths?: string[]; 'paths-ignore'?: string[] }, files: string[]): boolean {
  if (push.paths) return files.some((file) => push.paths?.some((glob) => pathPattern(glob).test(file)));
  const ignored = push['paths-ignore'] ?? [];
  return files.some((file) => !ignored.some((glob) => pathPattern(glob).test(file)));
}

describe('the delivery loop settles', () => {
  it.each(['dev', 'prod'])(
    'merging a %s promotion does not rebuild images (which would open yet another promotion)',
    async (overlay) => {
      // The promotion commit: exactly the files set-image-tag.ts changes in a copy of the overlay.
      const copy = await mkdtemp(join(tmpdir(), 'shazam-promotion-'));
      const source = join(repo, 'manifests/overlays', overlay);
      await cp(source, copy, { recursive: true });
      const tag = '3f9c2d1e0a7b4c5d6e7f8091a2b3c4d5e6f70819';
      const before = await readFile(join(copy, 'kustomization.yaml'), 'utf8');
      await writeFile(join(copy, 'kustomization.yaml'), setImageTag(before, tag));
      const changed: string[] = [];
      for (const file of await readdir(copy)) {
        const [original, promoted] = await Promise.all([
          readFile(join(source, file), 'utf8'),
          readFile(join(copy, file), 'utf8'),
        ]);
        if (original !== promoted) changed.push(`manifests/overlays/${overlay}/${file}`);
      }
      expect(changed).toEqual([`manifests/overlays/${overlay}/kustomization.yaml`]);
      const push =
        (workflows.get('images.yaml')?.on as { push?: Record<string, string[]> } | undefined)?.push ?? {};
      expect(pushTriggers(push, changed)).toBe(false);
      // Any change to what goes into an image still builds, even together with a promotion.
      expect(pushTriggers(push, ['operator/main.ts'])).toBe(true);
      expect(pushTriggers(push, [...changed, 'render-job/main.ts', 'package-lock.json'])).toBe(true);
    },
  );

  it('opens promotion pull requests with a GitHub App token, so the test workflow runs on them', () => {
    const promote = steps('promote.yaml');
    const tokenStep = promote.find((step) => step.uses?.startsWith('actions/create-github-app-token@'));
    expect(tokenStep?.id).toBeDefined();
    const token = `\${{ steps.${tokenStep?.id}.outputs.token }}`;
    const prStep = promote.find((step) => step.run?.includes('gh pr create'));
    expect(prStep?.env?.GH_TOKEN).toBe(token);
    // The branch is pushed with the same token (the checkout's credentials): a push made with GITHUB_TOKEN
    // would not start workflows either.
    const checkout = promote.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.token).toBe(token);
    expect(JSON.stringify(workflows.get('promote.yaml'))).not.toMatch(/github\.token|secrets\.GITHUB_TOKEN/);
    // The reusable call from images.yaml passes the App's key through.
    expect(workflows.get('images.yaml')?.jobs['promote-dev']).toMatchObject({ secrets: 'inherit' });
    expect(workflows.get('test.yaml')?.on).toHaveProperty('pull_request');
  });
});
