import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Document } from '@gltf-transform/core';
import type { Stage } from '../lib/contracts/validation-result.ts';
import { createGltfIO } from '../lib/gltf/create-io.ts';
import { listDirectory } from './archive/list-directory.ts';
import { safeUnzip } from './archive/safe-unzip.ts';
import { checkCleanup } from './checks/check-cleanup.ts';
import type { DeliveryFile } from './checks/check-references.ts';
import { checkReferences } from './checks/check-references.ts';
import { checkSourceObj } from './checks/check-source-obj.ts';
import { checkStructure, type DeliveryLayout } from './checks/check-structure.ts';
import { checkTexturing } from './checks/check-texturing.ts';
import { checkUv } from './checks/check-uv.ts';
import { type Finding, finding } from './findings.ts';
import { checkModelLimits } from './gltf/check-model-limits.ts';
import { gltfValidatorVersion, runGltfValidator } from './gltf/run-gltf-validator.ts';
import type { Policy } from './policy/policy.ts';
import { evaluateProfiles, STOREFRONT_PROFILES } from './profiles/storefront-profiles.ts';
import { buildReport, type ReportStats, type ValidationReport } from './report/report.ts';

/** Name and version of this validator, recorded in every report. */
export const VALIDATOR_VERSION = 'shazam-validation/1.0';

/** Options of {@link validateDelivery}. */
export interface ValidateDeliveryOptions {
  /** The delivery: a ZIP file, or an unpacked folder (artists checking before they pack). */
  source: { zip: string } | { dir: string };
  asin: string;
  revision: number;
  /** Stages the submission claims done; checks of the others are skipped. */
  stages: Stage[];
  policy: Policy;
  /** Scratch folder the ZIP is extracted into (`<scratch>/delivery`); the caller removes it. */
  scratchDir: string;
  /** sha256 of the ZIP, recorded in the report. */
  sha256?: string;
  /** Findings raised before unpacking (fetch, checksum); they are kept in the report. */
  earlyFindings?: Finding[];
  /** Clock, for reproducible reports in tests. */
  now?: () => Date;
}

/** What {@link validateDelivery} returns: the report, and the files to ingest when it passed. */
export interface ValidateDeliveryOutcome {
  report: ValidationReport;
  layout?: DeliveryLayout;
  /** The GLB bytes, read once for the validator and reused by ingest. */
  model?: Uint8Array;
  /** The loaded model (glTF-Transform), reused by ingest to build the web GLB. */
  document?: Document;
}

/**
 * Validates one delivery end to end: safe unzip (or a folder listing), structure and manifest, Khronos
 * glTF-Validator, the cleanup/UV/texturing checks of the claimed stages, reference photos, the optional
 * source OBJ, and the storefront profiles; returns the full report. Writes only under `scratchDir`.
 *
 * @example
 * ```ts
 * const { report } = await validateDelivery({
 *   source: { zip: 'r1.zip' }, asin: 'B0MIXER001', revision: 1, stages: ['cleanup', 'uv', 'texturing'],
 *   policy: DEFAULT_POLICY, scratchDir: '/tmp/validate-1',
 * });
 * ```
 */
export async function validateDelivery(options: ValidateDeliveryOptions): Promise<ValidateDeliveryOutcome> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const findings: Finding[] = [...(options.earlyFindings ?? [])];
  const stats: ReportStats = {};
  const checkedStages: Stage[] = [];
  let profiles: ValidationReport['profiles'] = [];
  const finish = (outcome: Omit<ValidateDeliveryOutcome, 'report'> = {}): ValidateDeliveryOutcome => {
    const report = buildReport({
      asin: options.asin,
      revision: options.revision,
      ...(options.sha256 ? { sha256: options.sha256 } : {}),
      claimedStages: options.stages,
      checkedStages,
      findings,
      profiles,
      stats,
      policy: options.policy,
      tools: { validator: VALIDATOR_VERSION, gltfValidator: gltfValidatorVersion() },
      startedAt,
      completedAt: now().toISOString(),
    });
    return { report, ...outcome };
  };
  if (findings.some((item) => item.severity === 'error')) return finish();

  const unpacked =
    'zip' in options.source
      ? await safeUnzip(options.source.zip, {
          destDir: join(options.scratchDir, 'delivery'),
          nestedDir: join(options.scratchDir, 'nested'),
          policy: options.policy.archive,
        })
      : await listDirectory(options.source.dir, options.policy.archive);
  findings.push(...unpacked.findings);
  if (unpacked.findings.some((item) => item.severity === 'error')) return finish();
  const files: DeliveryFile[] = unpacked.files;
  stats.archive = { entries: files.length, bytes: files.reduce((sum, file) => sum + file.bytes, 0) };

  const structure = await checkStructure(files, options);
  findings.push(...structure.findings);
  const { layout } = structure;

  const references = await checkReferences(layout.references, options.policy.references);
  findings.push(...references.findings);
  stats.references = references.stats;
  if (layout.sourceObj) {
    const obj = await checkSourceObj(layout.sourceObj.path, layout.sourceObj.name);
    findings.push(...obj.findings);
    if (obj.stats) stats.sourceObj = obj.stats;
  }
  if (!layout.model) return finish({ layout });

  const modelFile = layout.model;
  // Sizes are judged on headers and declarations before the model is read or parsed, so no declared size
  // reaches an allocation.
  const limits = await checkModelLimits(modelFile.path, modelFile.name, options.policy.model);
  findings.push(...limits);
  if (limits.length > 0) return finish({ layout });
  const model = new Uint8Array(await readFile(modelFile.path));
  stats.model = { file: modelFile.name, bytes: model.byteLength };
  const gltf = await runGltfValidator(model, {
    uri: modelFile.name,
    loadResource: (uri) => readResource(modelFile.path, uri),
  });
  findings.push(...gltf.findings);
  stats.gltfValidator = { ...gltf.counts, truncated: gltf.truncated };
  if (gltf.findings.some((item) => item.code === 'GLTF_UNREADABLE')) return finish({ layout });

  let document: Document;
  try {
    const io = await createGltfIO();
    document = await io.readBinary(model);
  } catch (error) {
    if (gltf.counts.errors === 0) {
      findings.push(
        finding('GLTF_UNREADABLE', `${modelFile.name} cannot be loaded: ${(error as Error).message}`, {
          file: modelFile.name,
        }),
      );
    }
    return finish({ layout });
  }
  // Image decoding runs on libvips threads: start it first so it overlaps the geometry loops below.
  const texturingPending = checkTexturing(document, options.policy.texturing, modelFile.name);
  const cleanup = checkCleanup(document, options.policy.cleanup, modelFile.name);
  const uv = checkUv(document, options.policy.uv, modelFile.name);
  const texturing = await texturingPending;
  findings.push(...cleanup.findings, ...uv.findings, ...texturing.findings);
  checkedStages.push('cleanup', 'uv', 'texturing');
  stats.geometry = cleanup.stats;
  stats.uv = uv.stats;
  stats.texturing = texturing.stats;

  const { min, max } = cleanup.stats.bounds;
  const outcomes = evaluateProfiles({
    fileBytes: model.byteLength,
    triangles: cleanup.stats.triangles,
    materials: cleanup.stats.materials,
    meshes: cleanup.stats.meshes,
    textures: texturing.stats.textures,
    ...(uv.stats.range ? { uvRange: uv.stats.range } : {}),
    largestExtentMeters: Math.max(...max.map((value, axis) => value - min[axis]!)),
    pbr: !texturing.findings.some((item) => item.code === 'TEXTURING_NOT_PBR'),
  });
  profiles = outcomes.map((outcome) => ({
    ...outcome,
    title: STOREFRONT_PROFILES.find((profile) => profile.id === outcome.id)?.title ?? outcome.id,
  }));
  return finish({ layout, model, document });
}

async function readResource(modelPath: string, uri: string): Promise<Uint8Array> {
  // A GLB delivery must be self-contained: resources are looked up next to it, and never above it.
  const name = decodeURIComponent(uri);
  if (name.includes('..') || name.startsWith('/'))
    throw new Error(`resource ${uri} is outside the model folder`);
  return new Uint8Array(await readFile(join(dirname(modelPath), name)));
}
