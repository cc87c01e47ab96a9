import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type IngestedVersion,
  MAX_COMPACT_FINDINGS,
  MAX_REPAIR_CHANGES,
  parseValidationResult,
  type RepairSummary,
  type Stage,
  type ValidationResult,
} from '../lib/contracts/validation-result.ts';
import { createGltfIO } from '../lib/gltf/create-io.ts';
import { type VersionKeys, validationReportKey, versionKeys } from '../lib/storage/layout.ts';
import { putJson } from '../lib/storage/object-store.ts';
import { formatS3Uri, type S3Location } from '../lib/storage/s3-uri.ts';
import { usdzFromGlb } from '../lib/usdz/usdz-from-glb.ts';
import type { DeliveryLayout } from './checks/check-structure.ts';
import { fetchDelivery } from './delivery/fetch-delivery.ts';
import { finding } from './findings.ts';
import { ingestVersion, RevisionConflictError } from './ingest/ingest-version.ts';
import { optimizeWebGlb } from './ingest/optimize-web-glb.ts';
import type { Policy } from './policy/policy.ts';
import type { RepairProvenance } from './repair/provenance.ts';
import { type RepairedCandidate, repairCandidate } from './repair/repair-candidate.ts';
import { buildReport, toCompactResult, type ValidationReport } from './report/report.ts';
import { validateDeliveryIsolated } from './validate-isolated.ts';

/** Options of {@link runValidationJob}: what `shazam validate-job` parsed from its arguments. */
export interface RunValidationJobOptions {
  s3: S3Client;
  delivery: S3Location;
  sha256: string;
  asin: string;
  revision: number;
  stages: Stage[];
  assetsBucket: string;
  result: S3Location;
  policy: Policy;
  /** Parent of the Job's scratch folder (the OS temp folder by default); the scratch folder is removed. */
  scratchRoot?: string;
  now?: () => Date;
}

/** What the Job decided and wrote. */
export interface ValidationJobOutcome {
  report: ValidationReport;
  result: ValidationResult;
  /** Whether this run wrote the version (false when it was already complete from the same delivery). */
  ingested: boolean;
  /** For a failed delivery: the repaired candidate made in its place, or why none was. */
  repairNote?: string;
}

/** The compact result's account of a repaired candidate. Pure. */
function repairSummary(
  failed: ValidationReport,
  reportUri: string,
  candidate: RepairedCandidate,
  bucket: string,
  keys: VersionKeys,
): RepairSummary {
  const codes = [
    ...new Set(failed.findings.filter((item) => item.severity === 'error').map((item) => item.code)),
  ];
  return {
    source: { errors: failed.counts.errors, codes: codes.slice(0, MAX_COMPACT_FINDINGS), reportUri },
    changes: candidate.changes
      .slice(0, MAX_REPAIR_CHANGES)
      .map((change) => ({ fix: change.fix, summary: change.summary.slice(0, 300) })),
    provenanceUri: formatS3Uri({ bucket, key: keys.repairProvenance }),
  };
}

/**
 * The validation Job: download and verify the delivery, validate it, ingest it when it passed (the full
 * report goes into the version), store the full report beside the result when it failed
 * (`validationReportKey`, never under `versions/`); a failed delivery whose every error has a fix the
 * policy allows gets a repaired candidate, validated on its own and ingested as the revision's version
 * with its `repair.json` (the result then Passed, with `repair` naming the artist's report and the
 * changes). The compact result is written last, its `reportUri`
 * naming the full report (so an operator that sees a result always finds the report it points at, and a
 * Passed result always a complete version).
 * Throws on infrastructure failures only (S3 unreachable, a write refused): the Job retries, and every step
 * is idempotent.
 */
export async function runValidationJob(options: RunValidationJobOptions): Promise<ValidationJobOutcome> {
  const now = options.now ?? (() => new Date());
  const scratchDir = await mkdtemp(join(options.scratchRoot ?? tmpdir(), 'shazam-validate-'));
  try {
    const zipPath = join(scratchDir, 'delivery.zip');
    const fetched = await fetchDelivery(options.s3, options.delivery, {
      destPath: zipPath,
      maxBytes: options.policy.archive.maxArchiveBytes,
      expectedSha256: options.sha256,
    });
    const validated = await validateDeliveryIsolated({
      source: { zip: zipPath },
      asin: options.asin,
      revision: options.revision,
      stages: options.stages,
      policy: options.policy,
      scratchDir,
      sha256: options.sha256,
      earlyFindings: fetched.ok ? [] : [fetched.finding],
      now,
    });
    let { report } = validated;
    let result = toCompactResult(report, options.sha256);
    let ingested = false;
    let repairNote: string | undefined;
    /** Ingests a passing model as the revision's version; a revision complete from another delivery fails it. */
    const ingest = async (passed: {
      report: ValidationReport;
      layout: DeliveryLayout;
      model: Uint8Array;
      provenance?: RepairProvenance;
    }): Promise<IngestedVersion | undefined> => {
      const document = await (await createGltfIO()).readBinary(passed.model);
      try {
        const outcome = await ingestVersion({
          s3: options.s3,
          bucket: options.assetsBucket,
          asin: options.asin,
          revision: options.revision,
          sha256: options.sha256,
          model: passed.model,
          buildWebModel: async () =>
            (
              await optimizeWebGlb(document, {
                maxTextureSize: options.policy.web.maxTextureSize,
                compression: options.policy.web.compression,
              })
            ).bytes,
          buildArModel: (webModel) =>
            usdzFromGlb(webModel, { maxTextureSize: options.policy.web.maxTextureSize }),
          references: passed.layout.references,
          ...(passed.provenance ? { repairProvenance: passed.provenance } : {}),
          renderReport: (version) =>
            JSON.stringify(
              { ...passed.report, version, ...(passed.provenance ? { repair: passed.provenance } : {}) },
              null,
              2,
            ),
          now,
        });
        ingested = outcome.written;
        return outcome.version;
      } catch (error) {
        if (!(error instanceof RevisionConflictError)) throw error;
        report = buildReport({
          ...report,
          checkedStages: Object.entries(report.stages)
            .filter(([, verdict]) => verdict !== 'Skipped')
            .map(([stage]) => stage as Stage),
          findings: [...report.findings, finding('INGEST_REVISION_EXISTS', error.message)],
          completedAt: now().toISOString(),
        });
        return undefined;
      }
    };
    const keys = versionKeys(options.asin, options.revision);
    const versionReportUri = formatS3Uri({ bucket: options.assetsBucket, key: keys.report });
    if (report.verdict === 'Passed' && validated.layout?.model) {
      // The checks ran in a worker; the model they passed is read once more for ingest.
      const model = new Uint8Array(await readFile(validated.layout.model.path));
      const version = await ingest({ report, layout: validated.layout, model });
      result = version
        ? toCompactResult(report, options.sha256, { reportUri: versionReportUri, version })
        : toCompactResult(report, options.sha256);
    }
    if (report.verdict === 'Failed') {
      // Only the first findings fit the compact result; the artist and QA need every one of them.
      const reportKey = validationReportKey(options.asin, options.revision, options.sha256);
      const reportUri = formatS3Uri({ bucket: options.assetsBucket, key: reportKey });
      await putJson(options.s3, { bucket: options.assetsBucket, key: reportKey }, report);
      result = toCompactResult(report, options.sha256, { reportUri });
      // Findings with a mechanical fix: a repaired candidate, validated on its own, may take the revision's
      // place for QA. The artist's report stays where it is; the artist's bytes are never changed.
      const attempt = await repairCandidate({
        report,
        layout: validated.layout,
        validation: {
          asin: options.asin,
          revision: options.revision,
          stages: options.stages,
          policy: options.policy,
          sha256: options.sha256,
        },
        scratchDir,
        now,
      });
      if (attempt.candidate) {
        const candidate = attempt.candidate;
        const version = await ingest(candidate);
        if (version) {
          result = toCompactResult(candidate.report, options.sha256, {
            reportUri: versionReportUri,
            version,
            repair: repairSummary(report, reportUri, candidate, options.assetsBucket, keys),
          });
          repairNote = `repaired candidate: ${candidate.changes.map((change) => change.summary).join(' ')}`;
        } else {
          result = toCompactResult(report, options.sha256, { reportUri });
          repairNote = 'no repaired candidate: the revision is already complete from another delivery';
        }
      } else if (attempt.reason) {
        repairNote = `no repaired candidate: ${attempt.reason}`;
      }
    }
    // Validating our own output catches a contract drift here, not in the operator.
    parseValidationResult(result);
    await putJson(options.s3, options.result, result);
    return { report, result, ingested, ...(repairNote ? { repairNote } : {}) };
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}
