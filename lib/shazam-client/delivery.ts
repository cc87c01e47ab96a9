import { readFile, stat } from 'node:fs/promises';
import { type DeliveryManifest, parseDeliveryManifest } from './delivery-manifest.ts';
import { packDirectory, sha256Hex } from './deterministic-zip.ts';
import { CLIENT_ERROR_CODES, ClientError } from './errors.ts';
import { readZipEntry } from './zip-entry.ts';

/** A delivery ready to upload: the ZIP bytes, their sha256 and its `manifest.yaml` when it has one. */
export interface LoadedDelivery {
  zip: Buffer;
  sha256: string;
  manifest?: DeliveryManifest;
}

/** Name of the manifest at the root of a delivery. */
export const DELIVERY_MANIFEST = 'manifest.yaml';

/**
 * Loads a delivery from a folder (packed with {@link packDirectory}) or from a ZIP already packed, and
 * reads its `manifest.yaml`.
 */
export async function loadDelivery(path: string): Promise<LoadedDelivery> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch {
    throw new ClientError(
      CLIENT_ERROR_CODES.deliveryInvalid,
      `${path} does not exist; pass a delivery folder or ZIP`,
    );
  }
  const zip = isDirectory ? (await packDirectory(path)).zip : await readFile(path);
  return deliveryFromZip(zip, path);
}

/** Reads the `manifest.yaml` of a packed delivery; `source` names it in messages. */
export async function deliveryFromZip(zip: Buffer, source: string): Promise<LoadedDelivery> {
  let manifestBytes: Buffer | undefined;
  try {
    manifestBytes = await readZipEntry(zip, DELIVERY_MANIFEST);
  } catch (error) {
    throw new ClientError(
      CLIENT_ERROR_CODES.deliveryInvalid,
      `${source} is not a readable ZIP (${error instanceof Error ? error.message : String(error)}); pack it with \`shazam pack\``,
    );
  }
  const manifest =
    manifestBytes === undefined
      ? undefined
      : parseDeliveryManifest(manifestBytes.toString('utf8'), `${source}:${DELIVERY_MANIFEST}`);
  return { zip, sha256: sha256Hex(zip), ...(manifest ? { manifest } : {}) };
}

/**
 * The ASIN and revision of a delivery: from `--asin`/`--revision` when given, else from its manifest.
 * When both are present they must agree, because the validation Job rejects a delivery whose manifest
 * contradicts the AssetSubmission.
 */
export function deliveryIdentity(
  delivery: LoadedDelivery,
  flags: { asin?: string; revision?: number },
): { asin: string; revision: number } {
  const asin = flags.asin ?? delivery.manifest?.asin;
  const revision = flags.revision ?? delivery.manifest?.revision;
  if (asin === undefined || revision === undefined) {
    throw new ClientError(
      CLIENT_ERROR_CODES.manifestInvalid,
      `the delivery has no ${DELIVERY_MANIFEST} with asin and revision; add one or pass --asin and --revision`,
    );
  }
  if (!/^[A-Z0-9]{10}$/.test(asin)) {
    throw new ClientError(
      CLIENT_ERROR_CODES.manifestInvalid,
      `--asin must be 10 characters A-Z 0-9, got "${asin}"`,
    );
  }
  const manifest = delivery.manifest;
  if (manifest && (manifest.asin !== asin || manifest.revision !== revision)) {
    throw new ClientError(
      CLIENT_ERROR_CODES.manifestInvalid,
      `${DELIVERY_MANIFEST} says ${manifest.asin} revision ${manifest.revision} but the flags say ${asin} revision ${revision}; make them agree`,
    );
  }
  return { asin, revision };
}
