import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  parseValidationResult,
  type Stage,
  type ValidationResult,
} from '../lib/contracts/validation-result.ts';
import { createGltfIO } from '../lib/gltf/create-io.ts';
import { validationReportKey, versionKeys } from '../lib/storage/layout.ts';
import { putJson } from '../lib/storage/object-store.ts';
import { formatS3Uri, type S3Location } from '../lib/storage/s3-uri.ts';
import { usdzFromGlb } from '../lib/usdz/usdz-from-glb.ts';
import { fetchDelivery } from './delivery/fetch-delivery.ts';
import { finding } from './findings.ts';
import { ingestVersion, RevisionConflictError } from './ingest/ingest-version.ts';
import { optimizeWebGlb } from './ingest/optimize-web-glb.ts';
import type { Policy } from './policy/policy.ts';
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
}

/**
 * The validation Job: download and verify the delivery, validate it, ingest it when it passed (the full
 * report goes into the version), store the full report beside the result when it failed
 * (`validationReportKey`, never under `versions/`), and write the compact result last, its `reportUri`
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
    if (report.verdict === 'Passed' && validated.layout?.model) {
      // The checks ran in a worker; the model they passed is loaded here once more for ingest.
      const model = new Uint8Array(await readFile(validated.layout.model.path));
      const document = await (await createGltfIO()).readBinary(model);
      const keys = versionKeys(options.asin, options.revision);
      const reportUri = formatS3Uri({ bucket: options.assetsBucket, key: keys.report });
      try {
        const outcome = await ingestVersion({
          s3: options.s3,
          bucket: options.assetsBucket,
          asin: options.asin,
          revision: options.revision,
          sha256: options.sha256,
          model,
          buildWebModel: async () =>
            (
              await optimizeWebGlb(document, {
                maxTextureSize: options.policy.web.maxTextureSize,
                compression: options.policy.web.compression,
              })
            ).bytes,
          buildArModel: (webModel) =>
            usdzFromGlb(webModel, { maxTextureSize: options.policy.web.maxTextureSize }),
          references: validated.layout.references,
          renderReport: (version) => JSON.stringify({ ...report, version }, null, 2),
          now,
        });
        ingested = outcome.written;
        result = toCompactResult(report, options.sha256, { reportUri, version: outcome.version });
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
        result = toCompactResult(report, options.sha256);
      }
    }
    if (report.verdict === 'Failed') {
      // Only the first findings fit the compact result; the artist and QA need every one of them.
      const reportKey = validationReportKey(options.asin, options.revision, options.sha256);
      await putJson(options.s3, { bucket: options.assetsBucket, key: reportKey }, report);
      result = toCompactResult(report, options.sha256, {
        reportUri: formatS3Uri({ bucket: options.assetsBucket, key: reportKey }),
      });
    }
    // Validating our own output catches a contract drift here, not in the operator.
    parseValidationResult(result);
    await putJson(options.s3, options.result, result);
    return { report, result, ingested };
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}
