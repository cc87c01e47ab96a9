import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repo = fileURLToPath(new URL('../..', import.meta.url));

interface Step {
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

  it('images.yaml builds both images on main, tagged by commit, with a keyless cloud login', () => {
    const workflow = workflows.get('images.yaml');
    expect(workflow?.on).toEqual({ push: { branches: ['main'] } });
    expect(workflow?.permissions).toMatchObject({ 'id-token': 'write', contents: 'read' });
    const build = steps('images.yaml').find((step) => step.uses?.startsWith('docker/build-push-action'));
    expect(build?.with?.tags).toMatch(/:\$\{\{ github\.sha \}\}$/);
    const job = workflow?.jobs.build as unknown as
      | { strategy?: { matrix?: { include?: { dockerfile: string }[] } } }
      | undefined;
    const files = (job?.strategy?.matrix?.include ?? []).map((entry) => entry.dockerfile);
    expect(files.sort()).toEqual(['images/render.Dockerfile', 'images/worker.Dockerfile']);
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
