import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { repairedPrefix } from '../../lib/storage/layout.ts';
import { getJsonIfExists, putJson, putObject } from '../../lib/storage/object-store.ts';
import type { RepairChange } from './repair-model.ts';

/** The provenance of a repaired candidate, `provenance.json`. */
export interface RepairProvenance {
  apiVersion: 'shazam.dev/repair-provenance/v1';
  asin: string;
  /** The artist's revision the candidate was made from, and its delivery's sha256. */
  source: { revision: number; sha256: string; model: string };
  /** sha256 of the repaired model. */
  sha256: string;
  changes: RepairChange[];
  repairedAt: string;
}

/** What {@link storeRepairedVersion} stores. */
export interface StoreRepairedInput {
  s3: S3Client;
  bucket: string;
  asin: string;
  revision: number;
  /** sha256 of the artist's delivery ZIP. */
  sourceSha256: string;
  /** Key of the artist's model the repair started from. */
  sourceModel: string;
  model: Uint8Array;
  changes: RepairChange[];
  now?: () => Date;
}

/**
 * Stores a repaired candidate under `assets/<ASIN>/repaired/r<rev>/`: model.glb, provenance.json, then
 * complete.json last (written once, `If-None-Match: *`). Immutable: a candidate already complete is left
 * as it is and returned. The artist's version is never written.
 */
export async function storeRepairedVersion(input: StoreRepairedInput): Promise<RepairProvenance> {
  const prefix = repairedPrefix(input.asin, input.revision);
  const complete = { bucket: input.bucket, key: `${prefix}complete.json` };
  const existing = (await getJsonIfExists(input.s3, complete)) as
    | { provenance?: RepairProvenance }
    | undefined;
  if (existing?.provenance) return existing.provenance;
  const provenance: RepairProvenance = {
    apiVersion: 'shazam.dev/repair-provenance/v1',
    asin: input.asin,
    source: { revision: input.revision, sha256: input.sourceSha256, model: input.sourceModel },
    sha256: createHash('sha256').update(input.model).digest('hex'),
    changes: input.changes,
    repairedAt: (input.now ?? (() => new Date()))().toISOString(),
  };
  await putObject(input.s3, { bucket: input.bucket, key: `${prefix}model.glb` }, input.model, {
    contentType: 'model/gltf-binary',
  });
  await putJson(input.s3, { bucket: input.bucket, key: `${prefix}provenance.json` }, provenance);
  await putJson(input.s3, complete, { provenance }, { ifNoneMatch: true });
  return provenance;
}
