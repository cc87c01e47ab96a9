import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { Stage } from '../../lib/contracts/validation-result.ts';
import { type Finding, finding } from '../findings.ts';
import type { DeliveryFile } from './check-references.ts';

/** The delivery's files sorted by role. */
export interface DeliveryLayout {
  model?: DeliveryFile;
  references: DeliveryFile[];
  sourceObj?: DeliveryFile;
  sourceFiles: DeliveryFile[];
  manifest?: DeliveryManifest;
}

/** `manifest.yaml` of a delivery. */
export interface DeliveryManifest {
  asin: string;
  revision: number;
  artist?: string;
  stages?: Stage[];
  notes?: string;
}

/** What the submission says the delivery is. */
export interface Expected {
  asin: string;
  revision: number;
  stages: Stage[];
}

/** JSON schema of `manifest.yaml`. */
export const MANIFEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['asin', 'revision'],
  properties: {
    asin: { type: 'string', pattern: '^[A-Z0-9]{10}$' },
    revision: { type: 'integer', minimum: 1 },
    artist: { type: 'string', maxLength: 200 },
    stages: {
      type: 'array',
      uniqueItems: true,
      items: { enum: ['cleanup', 'uv', 'texturing'] },
    },
    notes: { type: 'string', maxLength: 10000 },
  },
} as const;

const validateManifest = new Ajv({ allErrors: true }).compile(MANIFEST_SCHEMA);

/**
 * Sorts the files of a delivery by the contract of docs/delivery.md (`manifest.yaml`, `model/<ASIN>.glb`,
 * `source/`, `references/`), and checks that the manifest, when present, agrees with the submission.
 */
export async function checkStructure(
  files: DeliveryFile[],
  expected: Expected,
): Promise<{ findings: Finding[]; layout: DeliveryLayout }> {
  const findings: Finding[] = [];
  const layout: DeliveryLayout = { references: [], sourceFiles: [] };
  const modelName = `model/${expected.asin}.glb`;
  for (const file of files) {
    const { name } = file;
    if (name === 'manifest.yaml') {
      const manifest = await readManifest(file, expected, findings);
      if (manifest) layout.manifest = manifest;
    } else if (name === modelName) {
      layout.model = file;
    } else if (name.startsWith('model/')) {
      findings.push(
        /\.(glb|gltf)$/i.test(name)
          ? finding('STRUCTURE_EXTRA_MODEL', `${name} is not ${modelName}; exactly one model is delivered.`, {
              file: name,
            })
          : finding(
              'STRUCTURE_UNEXPECTED_FILE',
              `${name}: model/ holds only ${modelName} (textures go inside the GLB).`,
              {
                file: name,
              },
            ),
      );
    } else if (name.startsWith('references/') && !name.slice('references/'.length).includes('/')) {
      layout.references.push(file);
    } else if (name.startsWith('source/')) {
      if (name === `source/${expected.asin}.obj`) layout.sourceObj = file;
      layout.sourceFiles.push(file);
    } else {
      findings.push(
        finding(
          'STRUCTURE_UNEXPECTED_FILE',
          `${name} is not part of the delivery contract and is not stored.`,
          {
            file: name,
          },
        ),
      );
    }
  }
  if (!layout.model) {
    const glbs = files.filter((file) => /\.glb$/i.test(file.name)).map((file) => file.name);
    findings.push(
      finding(
        'STRUCTURE_MODEL_MISSING',
        `The delivery has no ${modelName}${glbs.length ? ` (found ${glbs.slice(0, 3).join(', ')})` : ''}.`,
      ),
    );
  }
  layout.references.sort((a, b) => a.name.localeCompare(b.name));
  return { findings, layout };
}

/** Deepest flow nesting accepted in manifest.yaml; the YAML parser dies (out of memory) near 16 000. */
export const MANIFEST_MAX_DEPTH = 32;

/**
 * Whether YAML flow collections (`[`, `{`) nest deeper than `maxDepth`, outside quotes and comments. Checked
 * before parsing: the parser's recursion on a deep nest ends the process, which no catch can stop.
 */
export function flowDepthExceeded(text: string, maxDepth: number): boolean {
  let depth = 0;
  let quote: string | undefined;
  let comment = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (comment) {
      if (char === '\n') comment = false;
    } else if (quote) {
      if (char === '\\' && quote === '"') index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#') {
      comment = true;
    } else if (char === '[' || char === '{') {
      if (++depth > maxDepth) return true;
    } else if (char === ']' || char === '}') {
      depth = Math.max(depth - 1, 0);
    }
  }
  return false;
}

async function readManifest(
  file: DeliveryFile,
  expected: Expected,
  findings: Finding[],
): Promise<DeliveryManifest | undefined> {
  const at = { file: file.name };
  if (file.bytes > 64 * 1024) {
    findings.push(finding('MANIFEST_INVALID', 'manifest.yaml is larger than 64 KiB.', at));
    return undefined;
  }
  const text = await readFile(file.path, 'utf8');
  if (flowDepthExceeded(text, MANIFEST_MAX_DEPTH)) {
    findings.push(
      finding(
        'MANIFEST_INVALID',
        `manifest.yaml nests [ ] or { } more than ${MANIFEST_MAX_DEPTH} levels deep; it holds only a few flat fields.`,
        at,
      ),
    );
    return undefined;
  }
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 10 });
  } catch (error) {
    findings.push(
      finding('MANIFEST_INVALID', `manifest.yaml is not valid YAML: ${(error as Error).message}`, at),
    );
    return undefined;
  }
  if (!validateManifest(value)) {
    const problems = (validateManifest.errors ?? [])
      .map((error) => `${error.instancePath || '(top level)'} ${error.message ?? 'is invalid'}`)
      .join('; ');
    findings.push(finding('MANIFEST_INVALID', `manifest.yaml: ${problems}.`, at));
    return undefined;
  }
  const manifest = value as unknown as DeliveryManifest;
  if (manifest.asin !== expected.asin) {
    findings.push(
      finding(
        'MANIFEST_ASIN_MISMATCH',
        `manifest.yaml says ASIN ${manifest.asin}; the submission says ${expected.asin}.`,
        { ...at, pointer: '/asin' },
      ),
    );
  }
  if (manifest.revision !== expected.revision) {
    findings.push(
      finding(
        'MANIFEST_REVISION_MISMATCH',
        `manifest.yaml says revision ${manifest.revision}; the submission says ${expected.revision}.`,
        { ...at, pointer: '/revision' },
      ),
    );
  }
  if (manifest.stages && [...manifest.stages].sort().join() !== [...expected.stages].sort().join()) {
    findings.push(
      finding(
        'MANIFEST_STAGES_MISMATCH',
        `manifest.yaml lists stages ${manifest.stages.join(', ') || '(none)'}; the submission lists ${expected.stages.join(', ') || '(none)'}.`,
        { ...at, pointer: '/stages' },
      ),
    );
  }
  return manifest;
}
