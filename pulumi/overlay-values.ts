/**
 * Writes a stack's outputs into its kustomize overlay (manifests/overlays/<stack>), so that nothing is
 * copied by hand: the IRSA role ARNs (irsa.yaml), the ECR repositories (kustomization.yaml `images:`), the
 * buckets and CDN URL (operator.yaml `s3`), the search API's CDN URL and API host (search-api.yaml).
 * Comments and layout of the files are kept. Pure: files in, files out.
 *
 *   pulumi stack output --json | npx tsx pulumi/overlay-values.ts manifests/overlays/prod
 *   pulumi stack output --json | npx tsx pulumi/overlay-values.ts manifests/overlays/prod --check
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Document, isMap, isSeq, parseAllDocuments, parseDocument } from 'yaml';

/** The stack outputs (`pulumi stack output --json`) an overlay carries. */
export interface OverlayOutputs {
  operatorS3: { region: string; incomingBucket: string; assetsBucket: string; publicBaseUrl: string };
  serviceAccountRoleArns: { operator: string; searchApi: string; validation: string; render: string };
  imageRepositories: { shazam: string; shazamRender: string };
  /** The search API's public host (Pulumi setting `domains.api`). */
  apiHost: string;
}

/** The overlay files this module writes. */
export const OVERLAY_FILES = ['irsa.yaml', 'kustomization.yaml', 'operator.yaml', 'search-api.yaml'] as const;

/** Thrown when outputs are incomplete or an overlay file lacks a place for a value. */
export class OverlayValuesError extends Error {
  override name = 'OverlayValuesError';
  readonly code = 'SHAZAM_E_OVERLAY_VALUES';
}

const SERVICE_ACCOUNTS: Record<string, keyof OverlayOutputs['serviceAccountRoleArns']> = {
  'shazam-operator': 'operator',
  'shazam-search-api': 'searchApi',
  'shazam-validation': 'validation',
  'shazam-render': 'render',
};
const IMAGES: Record<string, keyof OverlayOutputs['imageRepositories']> = {
  'ghcr.io/shazam-dev/shazam': 'shazam',
  'ghcr.io/shazam-dev/shazam-render': 'shazamRender',
};

function requireOutputs(value: unknown): OverlayOutputs {
  const outputs = value as Partial<OverlayOutputs>;
  const missing = (['operatorS3', 'serviceAccountRoleArns', 'imageRepositories', 'apiHost'] as const).filter(
    (key) => outputs?.[key] === undefined,
  );
  if (missing.length > 0)
    throw new OverlayValuesError(`the stack outputs lack ${missing.join(', ')}; run pulumi up first`);
  return outputs as OverlayOutputs;
}

function setOrThrow(document: Document, path: (string | number)[], value: string, file: string): void {
  if (!document.hasIn(path)) throw new OverlayValuesError(`${file} has no ${path.join('.')}`);
  document.setIn(path, value);
}

function irsa(source: string, outputs: OverlayOutputs): string {
  const documents = parseAllDocuments(source);
  for (const document of documents) {
    const name = String(document.getIn(['metadata', 'name']));
    const workload = SERVICE_ACCOUNTS[name];
    if (workload === undefined) continue;
    setOrThrow(
      document,
      ['metadata', 'annotations', 'eks.amazonaws.com/role-arn'],
      outputs.serviceAccountRoleArns[workload],
      'irsa.yaml',
    );
  }
  return documents.map((document) => document.toString()).join('');
}

function kustomization(source: string, outputs: OverlayOutputs): string {
  const document = parseDocument(source);
  const images = document.get('images');
  if (!isSeq(images)) throw new OverlayValuesError('kustomization.yaml has no images: list');
  for (const entry of images.items) {
    if (!isMap(entry)) continue;
    const repository = IMAGES[String(entry.get('name'))];
    if (repository !== undefined) entry.set('newName', outputs.imageRepositories[repository]);
  }
  return document.toString();
}

function operatorConfig(source: string, outputs: OverlayOutputs): string {
  const document = parseDocument(source);
  for (const key of ['region', 'incomingBucket', 'assetsBucket', 'publicBaseUrl'] as const)
    setOrThrow(document, ['s3', key], outputs.operatorS3[key], 'operator.yaml');
  return document.toString();
}

function searchApi(source: string, outputs: OverlayOutputs): string {
  const documents = parseAllDocuments(source);
  for (const document of documents) {
    const kind = String(document.get('kind'));
    if (kind === 'Deployment') {
      const containers = document.getIn(['spec', 'template', 'spec', 'containers']);
      if (!isSeq(containers)) continue;
      for (const container of containers.items) {
        const env = isMap(container) ? container.get('env') : undefined;
        if (!isSeq(env)) continue;
        for (const variable of env.items)
          if (isMap(variable) && variable.get('name') === 'SHAZAM_CDN_BASE_URL')
            variable.set('value', outputs.operatorS3.publicBaseUrl);
      }
    }
    if (kind === 'Ingress') {
      const tls = document.getIn(['spec', 'tls']);
      if (isSeq(tls))
        for (const entry of tls.items) {
          const hosts = isMap(entry) ? entry.get('hosts') : undefined;
          if (!isSeq(hosts))
            throw new OverlayValuesError('search-api.yaml: an Ingress tls entry has no hosts list');
          // Set in place, so the list keeps its style.
          hosts.items.splice(1);
          hosts.set(0, outputs.apiHost);
        }
      const rules = document.getIn(['spec', 'rules']);
      if (isSeq(rules)) for (const rule of rules.items) if (isMap(rule)) rule.set('host', outputs.apiHost);
    }
  }
  return documents.map((document) => document.toString()).join('');
}

/**
 * Returns the overlay's files with the stack's outputs written in. Throws {@link OverlayValuesError} when
 * an output is missing or a file has no place for one.
 */
export function applyOverlayOutputs(
  files: Record<(typeof OVERLAY_FILES)[number], string>,
  outputs: unknown,
): Record<(typeof OVERLAY_FILES)[number], string> {
  const values = requireOutputs(outputs);
  return {
    'irsa.yaml': irsa(files['irsa.yaml'], values),
    'kustomization.yaml': kustomization(files['kustomization.yaml'], values),
    'operator.yaml': operatorConfig(files['operator.yaml'], values),
    'search-api.yaml': searchApi(files['search-api.yaml'], values),
  };
}

/** Reads an overlay's files. */
export async function readOverlay(dir: string): Promise<Record<(typeof OVERLAY_FILES)[number], string>> {
  const entries = await Promise.all(
    OVERLAY_FILES.map(async (file) => [file, await readFile(join(dir, file), 'utf8')] as const),
  );
  return Object.fromEntries(entries) as Record<(typeof OVERLAY_FILES)[number], string>;
}

async function main(argv: string[]): Promise<number> {
  const [dir, flag] = argv;
  if (dir === undefined || (flag !== undefined && flag !== '--check')) {
    process.stderr.write(
      'usage: pulumi stack output --json | npx tsx pulumi/overlay-values.ts <overlay dir> [--check]\n',
    );
    return 2;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const outputs = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  const current = await readOverlay(dir);
  const next = applyOverlayOutputs(current, outputs);
  const drifted = OVERLAY_FILES.filter((file) => current[file] !== next[file]);
  if (flag === '--check') {
    for (const file of drifted) process.stderr.write(`${join(dir, file)} differs from the stack outputs\n`);
    return drifted.length === 0 ? 0 : 1;
  }
  await Promise.all(drifted.map((file) => writeFile(join(dir, file), next[file])));
  process.stdout.write(`${drifted.length} file(s) updated in ${dir}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
