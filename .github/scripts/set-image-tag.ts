/**
 * GitOps promotion: sets the tag of SHAZAM's images in an overlay's kustomization.yaml, keeping its
 * comments and layout, so that Argo CD rolls out the release when the change merges.
 *
 *   npx tsx .github/scripts/set-image-tag.ts manifests/overlays/prod 3f9c2d1e…
 *
 * Both images (worker and render) move together: the operator starts Jobs from the render image of its own
 * release.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';

/** The images an overlay retags, by the name the base manifests use. */
export const SHAZAM_IMAGES = ['ghcr.io/shazam-dev/shazam', 'ghcr.io/shazam-dev/shazam-render'] as const;

/** Thrown on an argument or overlay that cannot be promoted; the message says what to fix. */
export class PromotionError extends Error {
  override name = 'PromotionError';
  readonly code = 'SHAZAM_E_PROMOTION';
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Returns `source` (a kustomization.yaml) with `newTag` of every SHAZAM image set to `tag`. Throws
 * {@link PromotionError} when the tag is not a valid image tag or the overlay does not list both images.
 */
export function setImageTag(source: string, tag: string): string {
  if (!TAG.test(tag))
    throw new PromotionError(`"${tag}" is not a valid image tag (letters, digits, _ . -; at most 128)`);
  const document = parseDocument(source);
  const images = document.get('images');
  if (!isSeq(images))
    throw new PromotionError('the kustomization has no `images:` list; add one entry per SHAZAM image');
  const seen = new Set<string>();
  for (const item of images.items) {
    if (!isMap(item)) continue;
    const name = String(item.get('name'));
    if (!(SHAZAM_IMAGES as readonly string[]).includes(name)) continue;
    item.set('newTag', tag);
    seen.add(name);
  }
  const missing = SHAZAM_IMAGES.filter((name) => !seen.has(name));
  if (missing.length > 0)
    throw new PromotionError(`the kustomization does not retag ${missing.join(', ')}; add it under images:`);
  return document.toString({ lineWidth: 0 });
}

async function main(argv: string[]): Promise<number> {
  const [overlay, tag] = argv;
  if (!overlay || !tag) {
    process.stderr.write('usage: set-image-tag.ts <overlay-dir> <tag>\n');
    return 2;
  }
  const path = join(overlay, 'kustomization.yaml');
  try {
    await writeFile(path, setImageTag(await readFile(path, 'utf8'), tag));
  } catch (error) {
    process.stderr.write(`set-image-tag: ${path}: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`${path}: ${SHAZAM_IMAGES.join(', ')} → ${tag}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  process.exitCode = await main(process.argv.slice(2));
}
