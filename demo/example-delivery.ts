import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const examples = fileURLToPath(new URL('../examples/', import.meta.url));

/** An example delivery folder and the example AssetSubmission manifest of the same ASIN. */
export interface ExampleDelivery {
  asin: string;
  /** `examples/deliveries/<ASIN>/` */
  deliveryDir: string;
  /** `examples/asub-*.yaml` whose spec.asin is the ASIN. */
  manifestPath: string;
  manifestText: string;
}

/**
 * Finds the example deliveries that have a matching example submission manifest, in ASIN order, so
 * the demo runs whatever real example the repository ships. `asin` picks one.
 */
export async function findExampleDeliveries(asin?: string): Promise<ExampleDelivery[]> {
  const deliveriesDir = join(examples, 'deliveries');
  const asins = (await readdir(deliveriesDir, { withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const manifests = new Map<string, { path: string; text: string }>();
  for (const name of (await readdir(examples)).filter((file) => /^asub-.*\.ya?ml$/.test(file)).sort()) {
    const path = join(examples, name);
    const text = await readFile(path, 'utf8');
    const document = parse(text) as { kind?: string; spec?: { asin?: string } } | null;
    if (document?.kind === 'AssetSubmission' && document.spec?.asin && !manifests.has(document.spec.asin)) {
      manifests.set(document.spec.asin, { path, text });
    }
  }
  const found: ExampleDelivery[] = [];
  for (const candidate of asins) {
    const manifest = manifests.get(candidate);
    if (!manifest || (asin !== undefined && candidate !== asin)) continue;
    found.push({
      asin: candidate,
      deliveryDir: join(deliveriesDir, candidate),
      manifestPath: manifest.path,
      manifestText: manifest.text,
    });
  }
  return found;
}
