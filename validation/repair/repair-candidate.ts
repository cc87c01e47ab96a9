/**
 * The repaired candidate of a failed delivery: plans the allowed fixes from the findings, applies them to
 * the model, and validates the result as a delivery of its own (the artist's folder with the repaired model
 * in place, in scratch). The artist's ZIP and extracted files are never written.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGltfIO } from '../../lib/gltf/create-io.ts';
import type { DeliveryLayout } from '../checks/check-structure.ts';
import type { ValidationReport } from '../report/report.ts';
import { type ValidateIsolatedOptions, validateDeliveryIsolated } from '../validate-isolated.ts';
import { planRepairs } from './plan-repairs.ts';
import { buildProvenance, type RepairProvenance } from './provenance.ts';
import { type RepairChange, repairModel } from './repair-model.ts';

/** A repaired candidate that passed validation. */
export interface RepairedCandidate {
  /** The candidate's own validation report (Passed). */
  report: ValidationReport;
  /** Its files, under the scratch folder: the artist's references, the repaired model. */
  layout: DeliveryLayout;
  /** The repaired GLB. */
  model: Uint8Array;
  changes: RepairChange[];
  provenance: RepairProvenance;
}

/** What {@link repairCandidate} found: a candidate, or why none was made. */
export type RepairAttempt = { candidate: RepairedCandidate } | { candidate?: undefined; reason: string };

/** What {@link repairCandidate} needs: the failed report and files, and the validation options. */
export interface RepairCandidateInput {
  report: ValidationReport;
  layout: DeliveryLayout | undefined;
  validation: Omit<ValidateIsolatedOptions, 'source' | 'scratchDir' | 'earlyFindings'> & { sha256: string };
  /** The Job's scratch folder; the candidate is built under `<scratch>/repaired`. */
  scratchDir: string;
  now: () => Date;
}

/**
 * Builds and validates the repaired candidate of a failed delivery, when the policy allows a fix for every
 * error and every fix found something safe to change.
 *
 * @example
 * ```ts
 * const attempt = await repairCandidate({ report, layout, validation, scratchDir, now });
 * if (attempt.candidate) await ingest(attempt.candidate);
 * ```
 */
export async function repairCandidate(input: RepairCandidateInput): Promise<RepairAttempt> {
  const { report, layout, validation } = input;
  const plan = planRepairs(report.findings, validation.policy.repair);
  if (!plan.worthwhile) {
    const codes = [...new Set(plan.unrepaired.map((item) => item.code))].join(', ');
    return {
      reason:
        plan.fixes.length === 0 && plan.unrepaired.length === 0
          ? 'no error has a repair the policy allows'
          : `no repair answers ${codes}`,
    };
  }
  const source = layout?.model;
  if (!source) return { reason: 'the delivery has no model to repair' };
  if (!source.name.endsWith('.glb')) return { reason: `only GLB models are repaired, not ${source.name}` };
  const sourceBytes = new Uint8Array(await readFile(source.path));
  const io = await createGltfIO();
  const document = await io.readBinary(sourceBytes);
  const outcome = await repairModel(document, plan.fixes, validation.policy);
  if (outcome.skipped.length > 0) {
    return { reason: outcome.skipped.map((skip) => `${skip.fix}: ${skip.reason}`).join('; ') };
  }
  const model = await io.writeBinary(document);
  // The artist's folder as extracted, with the repaired model in the model's place.
  const root = source.path.slice(0, source.path.length - source.name.length);
  const folder = join(input.scratchDir, 'repaired', 'delivery');
  await cp(root, folder, { recursive: true });
  await writeFile(join(folder, source.name), model);
  const revalidated = await validateDeliveryIsolated({
    ...validation,
    source: { dir: folder },
    scratchDir: join(input.scratchDir, 'repaired', 'scratch'),
    now: input.now,
  });
  if (revalidated.report.verdict !== 'Passed' || !revalidated.layout?.model) {
    const codes = revalidated.report.findings
      .filter((item) => item.severity === 'error')
      .map((item) => item.code);
    return { reason: `the repaired candidate still fails: ${[...new Set(codes)].join(', ')}` };
  }
  const errors = report.findings.filter((item) => item.severity === 'error').map((item) => item.code);
  return {
    candidate: {
      report: revalidated.report,
      layout: revalidated.layout,
      model,
      changes: outcome.changes,
      provenance: buildProvenance({
        asin: validation.asin,
        revision: validation.revision,
        deliverySha256: validation.sha256,
        sourceModel: source.name,
        sourceBytes,
        repairedBytes: model,
        errors,
        changes: outcome.changes,
        repairedAt: input.now().toISOString(),
      }),
    },
  };
}
