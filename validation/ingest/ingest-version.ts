import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { IngestedVersion } from '../../lib/contracts/validation-result.ts';
import { versionKeys } from '../../lib/storage/layout.ts';
import {
  deleteKeys,
  getJsonIfExists,
  listObjects,
  putJson,
  putObject,
} from '../../lib/storage/object-store.ts';
import { isStorageError } from '../../lib/storage/storage-error.ts';
import type { DeliveryFile } from '../checks/check-references.ts';

/** The completion marker `complete.json`, written last: a version is promotable only when it exists. */
export interface CompletionMarker {
  apiVersion: 'shazam.dev/version-complete/v1';
  asin: string;
  revision: number;
  /** sha256 of the delivery ZIP this version was ingested from. */
  sha256: string;
  version: IngestedVersion;
  /** Every object of the version with its size and sha256. */
  objects: { key: string; bytes: number; sha256: string }[];
  completedAt: string;
}

/** Thrown when the revision is already complete with another delivery; `code` is stable. */
export class RevisionConflictError extends Error {
  override name = 'RevisionConflictError';
  readonly code = 'INGEST_REVISION_EXISTS';
  constructor(
    message: string,
    readonly existingSha256: string,
  ) {
    super(message);
  }
}

/** What {@link ingestVersion} stores. */
export interface IngestInput {
  s3: S3Client;
  bucket: string;
  asin: string;
  revision: number;
  sha256: string;
  /** The delivered GLB. */
  model: Uint8Array;
  /** Builds the storefront GLB; called only when the version is not already complete. */
  buildWebModel: () => Promise<Uint8Array>;
  /** Builds the USDZ for AR Quick Look from the web GLB; no USDZ is stored when absent or undefined. */
  buildArModel?: (webModel: Uint8Array) => Promise<Uint8Array | undefined>;
  references: DeliveryFile[];
  /** `repair.json` of a repaired candidate (the version's model is then the repaired one). */
  repairProvenance?: unknown;
  /** Serialises the full report once the version's keys are known. */
  renderReport: (version: IngestedVersion) => string;
  now?: () => Date;
}

/** Outcome of {@link ingestVersion}. */
export interface IngestOutcome {
  version: IngestedVersion;
  /** False when the version was already complete from the same delivery (a retried Job). */
  written: boolean;
}

/**
 * Stores a validated delivery as `assets/<ASIN>/versions/<rev>/`: model.glb, model.web.glb, model.usdz, references,
 * validation.json, then `complete.json` last.
 *
 * Guarantees: a version without `complete.json` is never promotable, so a crash mid-upload leaves nothing
 * usable; a retry rewrites every object (same keys, same bytes) and removes leftovers a crashed attempt
 * wrote under other names, then writes the marker; a version already complete from the same delivery is
 * left as is. Caveat: a version complete from another delivery raises {@link RevisionConflictError} and
 * writes nothing: published bytes are immutable, the artist bumps the revision. The marker is written with
 * `If-None-Match: *`, so of two Jobs racing on one revision only the first marker stands; the objects of the
 * loser may still have overwritten the winner's (same keys) if they were different deliveries, which the
 * operator avoids by running one Job per submission revision.
 */
export async function ingestVersion(input: IngestInput): Promise<IngestOutcome> {
  const keys = versionKeys(input.asin, input.revision);
  const existing = await readMarker(input.s3, input.bucket, keys.complete);
  if (existing) {
    if (existing.sha256 === input.sha256) return { version: existing.version, written: false };
    throw new RevisionConflictError(
      `s3://${input.bucket}/${keys.prefix} is already complete from a delivery with sha256 ${existing.sha256}; ` +
        `this delivery (${input.sha256}) needs a new revision.`,
      existing.sha256,
    );
  }
  const webModel = await input.buildWebModel();
  const arModel = input.buildArModel ? await input.buildArModel(webModel) : undefined;
  const version: IngestedVersion = {
    bucket: input.bucket,
    prefix: keys.prefix,
    model: keys.model,
    webModel: keys.webModel,
    modelBytes: input.model.byteLength,
    webModelBytes: webModel.byteLength,
    ...(arModel ? { arModel: keys.arModel, arModelBytes: arModel.byteLength } : {}),
  };
  const objects: { key: string; body: Uint8Array; contentType: string }[] = [
    { key: keys.model, body: input.model, contentType: 'model/gltf-binary' },
    { key: keys.webModel, body: webModel, contentType: 'model/gltf-binary' },
  ];
  if (arModel) objects.push({ key: keys.arModel, body: arModel, contentType: 'model/vnd.usdz+zip' });
  for (const reference of input.references) {
    const name = reference.name.slice('references/'.length);
    objects.push({
      key: `${keys.referencesPrefix}${name}`,
      body: new Uint8Array(await readFile(reference.path)),
      contentType: 'image/jpeg',
    });
  }
  if (input.repairProvenance !== undefined) {
    objects.push({
      key: keys.repairProvenance,
      body: new TextEncoder().encode(`${JSON.stringify(input.repairProvenance, null, 2)}\n`),
      contentType: 'application/json',
    });
  }
  objects.push({
    key: keys.report,
    body: new TextEncoder().encode(input.renderReport(version)),
    contentType: 'application/json',
  });
  await removeLeftovers(
    input.s3,
    input.bucket,
    keys.prefix,
    keys.rendersPrefix,
    new Set(objects.map((o) => o.key)),
  );
  for (const object of objects) {
    await putObject(input.s3, { bucket: input.bucket, key: object.key }, object.body, {
      contentType: object.contentType,
    });
  }
  const marker: CompletionMarker = {
    apiVersion: 'shazam.dev/version-complete/v1',
    asin: input.asin,
    revision: input.revision,
    sha256: input.sha256,
    version,
    objects: objects.map((object) => ({
      key: object.key,
      bytes: object.body.byteLength,
      sha256: createHash('sha256').update(object.body).digest('hex'),
    })),
    completedAt: (input.now ?? (() => new Date()))().toISOString(),
  };
  try {
    // Only the first marker of a revision wins, should two Jobs race on it.
    await putJson(input.s3, { bucket: input.bucket, key: keys.complete }, marker, { ifNoneMatch: true });
  } catch (error) {
    if (!isStorageError(error, 'STORAGE_PRECONDITION_FAILED')) throw error;
    const winner = await readMarker(input.s3, input.bucket, keys.complete);
    if (winner && winner.sha256 !== input.sha256) {
      throw new RevisionConflictError(
        `s3://${input.bucket}/${keys.prefix} was completed meanwhile from a delivery with sha256 ${winner.sha256}.`,
        winner.sha256,
      );
    }
    return { version: winner?.version ?? version, written: false };
  }
  return { version, written: true };
}

async function readMarker(s3: S3Client, bucket: string, key: string): Promise<CompletionMarker | undefined> {
  const marker = (await getJsonIfExists(s3, { bucket, key })) as Partial<CompletionMarker> | undefined;
  if (marker === undefined) return undefined;
  if (typeof marker?.sha256 !== 'string' || !marker.version) {
    throw new Error(`s3://${bucket}/${key} is not a completion marker`);
  }
  return marker as CompletionMarker;
}

async function removeLeftovers(
  s3: S3Client,
  bucket: string,
  prefix: string,
  keepPrefix: string,
  keep: Set<string>,
): Promise<void> {
  const { objects } = await listObjects(s3, bucket, prefix);
  const stale = objects
    .map((object) => object.key)
    .filter((key) => !keep.has(key) && !key.startsWith(keepPrefix));
  await deleteKeys(s3, bucket, stale);
}
