import validator from 'gltf-validator';
import type { Severity } from '../../lib/contracts/validation-result.ts';
import { type Finding, finding } from '../findings.ts';

/** Options of {@link runGltfValidator}. */
export interface RunGltfValidatorOptions {
  /** Name of the asset in the delivery, copied to findings' locations. */
  uri: string;
  /** Loads a resource the asset refers to by relative URI (a `.gltf`'s buffers and images). */
  loadResource?: (uri: string) => Promise<Uint8Array>;
  /** Most issues the validator reports before truncating (0: unlimited). */
  maxIssues?: number;
}

/** What {@link runGltfValidator} returns. */
export interface GltfValidatorOutcome {
  findings: Finding[];
  counts: { errors: number; warnings: number; infos: number; hints: number };
  truncated: boolean;
  /** The validator's own report (the JSON it documents), kept for the full report. */
  report: unknown;
}

/** Options of {@link runGltfValidator} with their defaults. */
export const RUN_GLTF_VALIDATOR_DEFAULTS: Required<Pick<RunGltfValidatorOptions, 'maxIssues'>> = {
  maxIssues: 10_000,
};

/**
 * Severity overrides applied to Khronos glTF-Validator: non-power-of-two images are an information
 * upstream but a warning for a storefront (mipmaps and older WebGL; glTF-Validator ISSUES.md).
 */
export const GLTF_SEVERITY_OVERRIDES: Record<string, number> = { IMAGE_NPOT_DIMENSIONS: 1 };

const SEVERITY: Record<number, Severity | undefined> = { 0: 'error', 1: 'warning', 2: 'info' };

interface ValidatorMessage {
  code: string;
  message: string;
  severity: number;
  pointer?: string;
  offset?: number;
}

interface ValidatorReport {
  issues: {
    numErrors: number;
    numWarnings: number;
    numInfos: number;
    numHints: number;
    messages: ValidatorMessage[];
    truncated: boolean;
  };
}

/** The version string of the bundled Khronos glTF-Validator. */
export function gltfValidatorVersion(): string {
  return validator.version();
}

/**
 * Runs the Khronos glTF-Validator on a GLB or glTF and turns its issues into findings (`GLTF_<CODE>`, stage
 * `gltf`): errors fail the delivery, warnings and infos are reported, hints are dropped. A truncated report
 * adds GLTF_REPORT_TRUNCATED (an error: unseen issues could be errors). Bytes the validator cannot parse at
 * all become GLTF_UNREADABLE.
 *
 * @example
 * ```ts
 * const { findings } = await runGltfValidator(await readFile('model.glb'), { uri: 'model/B0MIXER001.glb' });
 * ```
 */
export async function runGltfValidator(
  bytes: Uint8Array,
  options: RunGltfValidatorOptions,
): Promise<GltfValidatorOutcome> {
  const maxIssues = options.maxIssues ?? RUN_GLTF_VALIDATOR_DEFAULTS.maxIssues;
  let report: ValidatorReport;
  try {
    report = (await validator.validateBytes(bytes, {
      uri: options.uri,
      maxIssues,
      writeTimestamp: false,
      severityOverrides: GLTF_SEVERITY_OVERRIDES,
      ...(options.loadResource ? { externalResourceFunction: options.loadResource } : {}),
    })) as ValidatorReport;
  } catch (error) {
    return {
      findings: [
        finding('GLTF_UNREADABLE', `${options.uri} is neither glTF nor GLB: ${String(error)}`, {
          file: options.uri,
        }),
      ],
      counts: { errors: 1, warnings: 0, infos: 0, hints: 0 },
      truncated: false,
      report: { error: String(error) },
    };
  }
  // One finding per code and severity: a skinned model can raise thousands of identical warnings, and the
  // artist needs the kind, the count and where the first one is, not a 4000-line report.
  const groups = new Map<string, { first: ValidatorMessage; severity: Severity; count: number }>();
  for (const message of report.issues.messages) {
    const severity = SEVERITY[message.severity];
    if (!severity) continue;
    const key = `${severity}:${message.code}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { first: message, severity, count: 1 });
  }
  const findings: Finding[] = [];
  for (const { first, severity, count } of groups.values()) {
    const location: Finding['location'] = { file: options.uri };
    if (first.pointer) location.pointer = first.pointer;
    findings.push({
      code: `GLTF_${first.code}`,
      severity,
      stage: 'gltf',
      message: count > 1 ? `${first.message} (${count} occurrences; the first is located)` : first.message,
      hint:
        severity === 'error'
          ? 'Fix the model where the pointer says (see the Khronos glTF-Validator issue list), then re-export.'
          : 'Review it; it does not block the delivery.',
      location,
    });
  }
  if (report.issues.truncated) {
    findings.push(
      finding(
        'GLTF_REPORT_TRUNCATED',
        `glTF-Validator stopped after ${maxIssues} issues; the model cannot be judged until they are fixed.`,
        { file: options.uri },
      ),
    );
  }
  const { numErrors, numWarnings, numInfos, numHints } = report.issues;
  return {
    findings,
    counts: { errors: numErrors, warnings: numWarnings, infos: numInfos, hints: numHints },
    truncated: report.issues.truncated,
    report,
  };
}
