/**
 * The render Job's last step when its RenderJob names reference photos: scores every photo against the
 * turntable just written (lib/fidelity), refining each best angle with views rendered while the scene is
 * still uploaded, and writes `fidelity.json` beside `manifest.json`, the evidence the QAReview shows.
 * Fidelity informs QA and never fails a render: when it cannot be computed, the report says why in
 * `fidelity.error`.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { FIDELITY_FILE, fidelityReport } from '../../lib/contracts/fidelity-report.ts';
import { assessVersion } from '../../lib/fidelity/version-fidelity.ts';
import type { KubeLogger } from '../../lib/kube/logger.ts';
import { formatS3Uri } from '../../lib/storage/s3-uri.ts';
import type { OutputSink } from '../output/output-sink.ts';
import type { TurntableViews } from '../turntable-views.ts';

/** Where the render and the photos are, in one bucket. */
export interface ReferenceFidelityInput {
  client: S3Client;
  bucket: string;
  /** The render's output prefix (ends with `/`). */
  rendersPrefix: string;
  /** The reference photos' prefix (ends with `/`). */
  referencesPrefix: string;
  sink: OutputSink;
  log: KubeLogger;
  /** Views of the turntable still on the GPU: each photo's best angle is refined between frames. */
  views?: TurntableViews;
  now?: () => Date;
}

/** Assesses the references against the written render and writes `fidelity.json`; returns its URI. */
export async function writeReferenceFidelity(input: ReferenceFidelityInput): Promise<string> {
  const now = input.now ?? (() => new Date());
  const started = performance.now();
  const references = formatS3Uri({ bucket: input.bucket, key: input.referencesPrefix });
  let fidelity: Awaited<ReturnType<typeof assessVersion>>;
  try {
    fidelity = await assessVersion(
      input.client,
      input.bucket,
      { rendersPrefix: input.rendersPrefix, referencesPrefix: input.referencesPrefix },
      { now: now(), ...(input.views ? { renderAt: input.views.renderAt } : {}) },
    );
  } catch (error) {
    const message = `cannot compare the reference photos at ${references}: ${(error as Error).message}`;
    input.log.warn({ references }, message);
    fidelity = {
      computedAt: now().toISOString(),
      renderPrefix: formatS3Uri({ bucket: input.bucket, key: input.rendersPrefix }),
      references: [],
      error: message.slice(0, 1024),
    };
  }
  const seconds = Math.round(performance.now() - started) / 1000;
  const report = fidelityReport(fidelity, seconds);
  await input.sink.write(
    FIDELITY_FILE,
    new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`),
    'application/json',
  );
  const verdicts = fidelity.references.map((reference) => reference.verdict);
  input.log.info(
    {
      references: fidelity.references.length,
      match: verdicts.filter((v) => v === 'Match').length,
      check: verdicts.filter((v) => v === 'Check').length,
      mismatch: verdicts.filter((v) => v === 'Mismatch').length,
      refinementViews: input.views?.rendered ?? 0,
      seconds,
      ...(fidelity.error ? { error: fidelity.error } : {}),
    },
    `Compared ${fidelity.references.length} reference photo(s) with the turntable`,
  );
  return input.sink.locate(FIDELITY_FILE);
}
