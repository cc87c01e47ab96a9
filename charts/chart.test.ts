import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { harness } from '../test/harness/index.ts';
import { applyMergePatch, type ChartObject, kustomize, mergePatch } from './chart-source.ts';
import { chartFiles, OVERLAYS } from './generate.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const chart = join(root, 'charts/shazam');
let helm: string;

beforeAll(async () => {
  // Built once from its Go module (tools/helm) into the cache, like the Kubernetes binaries.
  const { stdout } = await run('bash', [join(root, 'scripts/ensure-helm.sh')], { timeout: 900_000 });
  helm = stdout.trim();
}, 900_000);

async function helmTemplate(args: string[]): Promise<ChartObject[]> {
  const { stdout } = await run(helm, ['template', 'shazam', chart, '--include-crds', ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as ChartObject | null)
    .filter((object): object is ChartObject => object !== null);
}

function byIdentity(objects: ChartObject[]): Map<string, ChartObject> {
  return new Map(
    objects.map((object) => [
      `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`,
      object,
    ]),
  );
}

describe('the Helm chart, generated from the kustomize manifests', () => {
  it('is up to date with manifests/ (npx tsx charts/generate.ts)', async () => {
    const files = await chartFiles(harness().kubectlPath);
    for (const [path, text] of files) expect(await readFile(join(chart, path), 'utf8'), path).toBe(text);
  });

  it('passes helm lint --strict with the defaults and each environment’s values', async () => {
    for (const args of [[], ...OVERLAYS.map((overlay) => ['-f', join(chart, `values-${overlay}.yaml`)])]) {
      const { stdout } = await run(helm, ['lint', '--strict', chart, ...args]);
      expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it.each(OVERLAYS)('renders exactly the objects kustomize renders for %s', async (overlay) => {
    const [fromHelm, fromKustomize] = await Promise.all([
      helmTemplate(['-f', join(chart, `values-${overlay}.yaml`)]),
      kustomize(harness().kubectlPath, join(root, 'manifests/overlays', overlay)),
    ]);
    const helmObjects = byIdentity(fromHelm);
    const kustomizeObjects = byIdentity(fromKustomize);
    expect([...helmObjects.keys()].sort()).toEqual([...kustomizeObjects.keys()].sort());
    for (const [identity, object] of kustomizeObjects)
      expect(helmObjects.get(identity), identity).toEqual(object);
    expect([...helmObjects.keys()].filter((key) => key.startsWith('Deployment ')).sort()).toEqual([
      'Deployment shazam-system/shazam-operator',
      'Deployment shazam-system/shazam-search-api',
    ]);
  });

  it('retags every image from images.*: the Deployments and the Job images the operator starts', async () => {
    const objects = await helmTemplate([
      '-f',
      join(chart, 'values-prod.yaml'),
      '--set',
      'images.shazam.tag=abc123',
      '--set',
      'images.shazam-render.repository=registry.example/render',
    ]);
    const images = objects
      .filter((object) => object.kind === 'Deployment')
      .flatMap(
        (object) =>
          (object as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec
            .template.spec.containers,
      )
      .map((container) => container.image);
    expect(images).toEqual([
      '111122223333.dkr.ecr.us-east-1.amazonaws.com/shazam:abc123',
      '111122223333.dkr.ecr.us-east-1.amazonaws.com/shazam:abc123',
    ]);
    const jobImages = objects.find(
      (object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('shazam-job-images'),
    ) as unknown as { data: Record<string, string> };
    expect(jobImages.data).toEqual({
      validationImage: '111122223333.dkr.ecr.us-east-1.amazonaws.com/shazam:abc123',
      renderImage: 'registry.example/render:0.1.0',
    });
  });
});

describe('mergePatch', () => {
  it('is undone by applyMergePatch (RFC 7386), lists replaced whole, removed keys as null', () => {
    const from = { a: 1, b: { c: [1, 2], d: 'x', e: true }, f: 'gone' };
    const to = { a: 1, b: { c: [1], d: 'y', e: false }, g: { h: 0 } };
    const patch = mergePatch(from, to);
    expect(patch).toEqual({ b: { c: [1], d: 'y', e: false }, f: null, g: { h: 0 } });
    expect(applyMergePatch(from, patch)).toEqual(to);
    expect(mergePatch(to, to)).toBeUndefined();
  });
});
