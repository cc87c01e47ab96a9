import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { IMAGES } from './definitions.ts';

const base = fileURLToPath(new URL('../manifests/base/', import.meta.url));

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return entry.name.endsWith('.yaml') ? [path] : [];
  });
}

/** `repository` and `shazam` subcommand of every container of the base manifests that runs `shazam`. */
function shazamContainers(): Array<{ where: string; repository: string; command: string }> {
  const found: Array<{ where: string; repository: string; command: string }> = [];
  for (const file of yamlFiles(base)) {
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const object = document.toJS() as {
        kind?: string;
        metadata?: { name?: string };
        spec?: { template?: { spec?: { containers?: Container[] } } };
      } | null;
      for (const container of object?.spec?.template?.spec?.containers ?? []) {
        if (!container.image?.startsWith('ghcr.io/shazam-dev/')) continue;
        const argv = [...(container.command ?? ['shazam']), ...(container.args ?? [])];
        expect(argv[0], `${file}: ${container.name} runs the shazam entrypoint`).toBe('shazam');
        found.push({
          where: `${object?.kind}/${object?.metadata?.name} ${container.name}`,
          repository: container.image.slice(0, container.image.lastIndexOf(':')),
          command: argv[1] ?? 'help',
        });
      }
    }
  }
  return found;
}

/** The images of the operator's Jobs (kustomization's shazam-job-images) and the command each Job runs. */
function jobImages(): Array<{ where: string; repository: string; command: string }> {
  const kustomization = parseAllDocuments(
    readFileSync(join(base, 'kustomization.yaml'), 'utf8'),
  )[0]?.toJS() as {
    configMapGenerator: Array<{ name: string; literals?: string[] }>;
  };
  const literals =
    kustomization.configMapGenerator.find((m) => m.name === 'shazam-job-images')?.literals ?? [];
  const value = (key: string) => {
    const image = literals.find((literal) => literal.startsWith(`${key}=`))?.slice(key.length + 1) ?? '';
    return image.slice(0, image.lastIndexOf(':'));
  };
  // controllers/config.ts: the validation Job runs `shazam validate-job`, the render Job `shazam render-job`.
  return [
    { where: 'validation Job', repository: value('validationImage'), command: 'validate-job' },
    { where: 'render Job', repository: value('renderImage'), command: 'render-job' },
  ];
}

describe('images/definitions.ts and the manifests', () => {
  const uses = [...shazamContainers(), ...jobImages()];

  it('finds the operator, search API, validation and render workloads', () => {
    expect(uses.map((use) => use.command).sort()).toEqual([
      'operator',
      'render-job',
      'search-api',
      'validate-job',
    ]);
  });

  it.each(uses)('$where: $repository carries `shazam $command`', ({ repository, command }) => {
    const image = IMAGES.find((definition) => definition.repository === repository);
    expect(image, `no image in images/definitions.ts is published as ${repository}`).toBeDefined();
    expect(image?.commands).toContain(command);
  });
});
