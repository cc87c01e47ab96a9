/**
 * `repair.json`: the provenance of a repaired candidate, stored in its version beside `model.glb`. It names
 * the artist's delivery the candidate was made from (revision, ZIP sha256, model path, the errors it
 * failed with) and every change with its figures before and after, so QA and the artist see exactly what
 * the pipeline did. Pure.
 */
import { createHash } from 'node:crypto';
import type { RepairChange } from './repair-model.ts';

/** The provenance of a repaired candidate. */
export interface RepairProvenance {
  apiVersion: 'shazam.dev/repair-provenance/v1';
  asin: string;
  /** The artist's delivery: its revision, ZIP sha256, model path inside it, and the error codes it failed with. */
  source: { revision: number; sha256: string; model: string; modelSha256: string; errors: string[] };
  /** sha256 of the repaired model (`model.glb` of the version). */
  sha256: string;
  changes: RepairChange[];
  repairedAt: string;
}

/** What {@link buildProvenance} records. */
export interface ProvenanceInput {
  asin: string;
  revision: number;
  /** sha256 of the artist's delivery ZIP. */
  deliverySha256: string;
  /** The model's path inside the delivery, such as `model/B0D4KMX7Q2.glb`. */
  sourceModel: string;
  sourceBytes: Uint8Array;
  repairedBytes: Uint8Array;
  /** Codes of the errors the delivery failed with. */
  errors: string[];
  changes: RepairChange[];
  repairedAt: string;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The provenance document of one repaired candidate. */
export function buildProvenance(input: ProvenanceInput): RepairProvenance {
  return {
    apiVersion: 'shazam.dev/repair-provenance/v1',
    asin: input.asin,
    source: {
      revision: input.revision,
      sha256: input.deliverySha256,
      model: input.sourceModel,
      modelSha256: sha256(input.sourceBytes),
      errors: [...new Set(input.errors)],
    },
    sha256: sha256(input.repairedBytes),
    changes: input.changes,
    repairedAt: input.repairedAt,
  };
}
