/**
 * The Helm chart (charts/shazam) is generated from the kustomize manifests, which stay the one source:
 * `kubectl kustomize manifests/base` becomes the chart's objects (one file each under objects/, CRDs under
 * crds/), the images become `images.*` values, and each overlay becomes values-<overlay>.yaml holding its
 * images and, per object, the JSON merge patch (RFC 7386) that turns the base object into the overlay's.
 * The chart's template applies those patches, so `helm template -f values-<overlay>.yaml` renders what
 * `kubectl kustomize manifests/overlays/<overlay>` renders.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

/** A rendered Kubernetes object. */
export interface ChartObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** The image references the base uses, by the short name `images.<name>` sets. */
export const BASE_IMAGES = {
  shazam: { repository: 'ghcr.io/shazam-dev/shazam', tag: '0.1.0' },
  'shazam-render': { repository: 'ghcr.io/shazam-dev/shazam-render', tag: '0.1.0' },
} as const;

export type ImageName = keyof typeof BASE_IMAGES;
export type Images = Record<ImageName, { repository: string; tag: string }>;

/** Placeholder the chart's template replaces with `<repository>:<tag>` of an image. */
export function imagePlaceholder(name: ImageName): string {
  return `__image__${name}__`;
}

/** Renders a kustomization with `kubectl kustomize`. */
export async function kustomize(kubectl: string, dir: string): Promise<ChartObject[]> {
  const { stdout } = await run(kubectl, ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as ChartObject | null)
    .filter((object): object is ChartObject => object !== null);
}

/**
 * An object's key in the chart: `Kind_namespace_name` (`cluster` for cluster-scoped objects); a generated
 * ConfigMap or Secret is keyed without kustomize's content-hash suffix, which differs per overlay.
 */
export function objectKey(object: ChartObject): string {
  const generated = object.kind === 'ConfigMap' || object.kind === 'Secret';
  const name = generated ? object.metadata.name.replace(/-[a-z0-9]{10}$/, '') : object.metadata.name;
  return `${object.kind}_${object.metadata.namespace ?? 'cluster'}_${name}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON merge patch (RFC 7386) from `from` to `to`; undefined when they are equal. */
export function mergePatch(from: unknown, to: unknown): unknown {
  if (!isRecord(from) || !isRecord(to)) return JSON.stringify(from) === JSON.stringify(to) ? undefined : to;
  const patch: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
    if (!(key in to)) {
      patch[key] = null;
      continue;
    }
    const inner = mergePatch(from[key], to[key]);
    if (inner !== undefined) patch[key] = inner;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** Applies a JSON merge patch (RFC 7386), as the chart's template does. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

/** Replaces every reference to an image of `images` (the base's by default) in `text` with its placeholder. */
export function withPlaceholders(text: string, images: Images = BASE_IMAGES as unknown as Images): string {
  let out = text;
  for (const [name, image] of Object.entries(images)) {
    out = out.split(`${image.repository}:${image.tag}`).join(imagePlaceholder(name as ImageName));
  }
  return out;
}

/** Replaces every placeholder in `text` with the image of `images`. */
export function withImages(text: string, images: Images): string {
  let out = text;
  for (const [name, image] of Object.entries(images)) {
    out = out.split(imagePlaceholder(name as ImageName)).join(`${image.repository}:${image.tag}`);
  }
  return out;
}

/** What an overlay's values file holds. */
export interface OverlayValues {
  images: Images;
  /** Per object key: a merge patch of the base object, a whole object the base lacks, or false to omit it. */
  objects: Record<string, unknown>;
}

/**
 * The values that make the chart render `overlay` from `base`. `images` are read from the overlay's
 * rendered Deployments' and Job image ConfigMap's references (whatever `images:` in the overlay did).
 */
export function overlayValues(base: ChartObject[], overlay: ChartObject[], images: Images): OverlayValues {
  const placeholders = (object: ChartObject, of?: Images): ChartObject =>
    JSON.parse(withPlaceholders(JSON.stringify(object), of));
  const baseByKey = new Map(base.map((object) => [objectKey(object), placeholders(object)]));
  const objects: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const rendered of overlay) {
    const object = placeholders(rendered, images);
    const key = objectKey(object);
    if (seen.has(key)) throw new Error(`two objects share the chart key ${key}`);
    seen.add(key);
    const from = baseByKey.get(key);
    if (from === undefined) {
      objects[key] = object;
      continue;
    }
    const patch = mergePatch(from, object);
    if (patch !== undefined) objects[key] = patch;
  }
  for (const key of baseByKey.keys()) if (!seen.has(key)) objects[key] = false;
  return { images, objects };
}

/** The images an overlay's kustomization sets (`images:` entries), defaulting to the base's. */
export function overlayImages(
  entries: { name: string; newName?: string; newTag?: string }[] | undefined,
): Images {
  const images = structuredClone(BASE_IMAGES) as unknown as Images;
  for (const [name, image] of Object.entries(BASE_IMAGES)) {
    const entry = entries?.find((candidate) => candidate.name === image.repository);
    if (!entry) continue;
    images[name as ImageName] = {
      repository: entry.newName ?? image.repository,
      tag: entry.newTag ?? image.tag,
    };
  }
  return images;
}
