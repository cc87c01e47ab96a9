/**
 * The compact validation result: the document the validation Job writes to
 * `assets/<ASIN>/validation/r<rev>-<sha256[0:16]>.json` (see `validationResultKey` in lib/storage/layout.ts)
 * whether the delivery passed or failed, and the operator reads to fill `status.validation` of an
 * AssetSubmission. It stays a few KB whatever the delivery: at most {@link MAX_COMPACT_FINDINGS} findings,
 * short strings. The full report (`validation.json`) lives under the version folder when the delivery passed.
 *
 * @example
 * ```ts
 * const result = parseValidationResult(JSON.parse(body)); // throws ValidationResultError when malformed
 * if (result.verdict === 'Passed') promote(result.version!.prefix);
 * ```
 */
import { Ajv } from 'ajv';

/** `apiVersion` of this document; bumped only on an incompatible change. */
export const VALIDATION_RESULT_API_VERSION = 'shazam.dev/validation-result/v1';

/** Most findings a compact result carries (errors first, then warnings). */
export const MAX_COMPACT_FINDINGS = 10;

/** The artist stages a submission can claim. */
export const STAGES = ['cleanup', 'uv', 'texturing'] as const;
/** One artist stage. */
export type Stage = (typeof STAGES)[number];

/** The verdict on one stage: Skipped when the submission did not claim it. */
export type StageVerdict = 'Passed' | 'Failed' | 'Skipped';

/** The overall verdict. */
export type Verdict = 'Passed' | 'Failed';

/** Severity of a finding; only `error` fails a delivery. */
export type Severity = 'error' | 'warning' | 'info';

/** Where in the pipeline a finding was raised: an artist stage or one of the checks around them. */
export type FindingStage = Stage | 'delivery' | 'archive' | 'structure' | 'gltf' | 'references' | 'ingest';

/** One finding, shortened for the operator. */
export interface CompactFinding {
  /** Stable code, e.g. `ZIP_PATH_TRAVERSAL`, `CLEANUP_TRIANGLE_BUDGET`, `GLTF_ACCESSOR_TOO_LONG`. */
  code: string;
  severity: Severity;
  stage: FindingStage;
  /** One sentence naming the problem (≤ 300 characters). */
  message: string;
  /** Where: a file in the delivery, optionally followed by `#` and a JSON pointer or a mesh/material name. */
  location?: string;
}

/** Whether the asset meets one storefront profile. */
export interface ProfileOutcome {
  /** Profile id, e.g. `khronos-web`, `amazon-3d`, `shopify`, `google-shopping`. */
  id: string;
  met: boolean;
  /** Codes of the limits it misses (empty when met). */
  missed: string[];
}

/** Where an ingested version was stored (present only when the verdict is Passed). */
export interface IngestedVersion {
  bucket: string;
  /** Key prefix of the version, `assets/<ASIN>/versions/<rev>/`. */
  prefix: string;
  /** Key of the delivered model. */
  model: string;
  /** Key of the storefront-optimised model. */
  webModel: string;
  /** Bytes of the delivered and optimised GLB. */
  modelBytes: number;
  webModelBytes: number;
  /** Key of the USDZ for AR Quick Look (absent on versions ingested before USDZ existed). */
  arModel?: string;
  arModelBytes?: number;
}

/** Most repair changes a compact result lists. */
export const MAX_REPAIR_CHANGES = 8;

/**
 * A delivery that failed on findings with a mechanical fix, and passed once repaired: the version is the
 * repaired candidate, never the artist's bytes changed (validation/repair/).
 */
export interface RepairSummary {
  /** The artist's delivery as it failed: its error codes (first ones) and the full report. */
  source: { errors: number; codes: string[]; reportUri: string };
  /** What the repair changed, in order (≤ {@link MAX_REPAIR_CHANGES}). */
  changes: { fix: string; summary: string }[];
  /** `s3://` URI of `repair.json` in the version: source, every change with before/after figures. */
  provenanceUri: string;
}

/** The compact validation result. */
export interface ValidationResult {
  apiVersion: typeof VALIDATION_RESULT_API_VERSION;
  asin: string;
  revision: number;
  /** sha256 of the delivery ZIP that was checked (lowercase hex). */
  sha256: string;
  verdict: Verdict;
  stages: Record<Stage, StageVerdict>;
  errors: number;
  warnings: number;
  /** The first findings, errors first (≤ {@link MAX_COMPACT_FINDINGS}). */
  findings: CompactFinding[];
  /** A short human summary (≤ 500 characters). */
  summary: string;
  profiles: ProfileOutcome[];
  /** `s3://` URI of the full report: `versions/<rev>/validation.json` on a pass, the `.report.json` beside the result on a failure. */
  reportUri?: string;
  version?: IngestedVersion;
  /** Present when the version is a repaired candidate of a delivery that failed (verdict Passed then). */
  repair?: RepairSummary;
  /** RFC 3339 time the verdict was reached. */
  completedAt: string;
  /** Versions of the tools that reached the verdict. */
  tools: { validator: string; gltfValidator: string };
}

const FINDING_STAGES: FindingStage[] = [
  ...STAGES,
  'delivery',
  'archive',
  'structure',
  'gltf',
  'references',
  'ingest',
];

/** JSON schema (draft-07) of {@link ValidationResult}. */
export const VALIDATION_RESULT_SCHEMA = {
  $id: 'https://shazam.dev/schemas/validation-result-v1.json',
  type: 'object',
  additionalProperties: false,
  required: [
    'apiVersion',
    'asin',
    'revision',
    'sha256',
    'verdict',
    'stages',
    'errors',
    'warnings',
    'findings',
    'summary',
    'profiles',
    'completedAt',
    'tools',
  ],
  properties: {
    apiVersion: { const: VALIDATION_RESULT_API_VERSION },
    asin: { type: 'string', pattern: '^[A-Z0-9]{10}$' },
    revision: { type: 'integer', minimum: 1 },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    verdict: { enum: ['Passed', 'Failed'] },
    stages: {
      type: 'object',
      additionalProperties: false,
      required: [...STAGES],
      properties: Object.fromEntries(
        STAGES.map((stage) => [stage, { enum: ['Passed', 'Failed', 'Skipped'] }]),
      ),
    },
    errors: { type: 'integer', minimum: 0 },
    warnings: { type: 'integer', minimum: 0 },
    findings: {
      type: 'array',
      maxItems: MAX_COMPACT_FINDINGS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'severity', 'stage', 'message'],
        properties: {
          code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,79}$' },
          severity: { enum: ['error', 'warning', 'info'] },
          stage: { enum: FINDING_STAGES },
          message: { type: 'string', maxLength: 300 },
          location: { type: 'string', maxLength: 300 },
        },
      },
    },
    summary: { type: 'string', maxLength: 500 },
    profiles: {
      type: 'array',
      maxItems: 16,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'met', 'missed'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9-]{1,40}$' },
          met: { type: 'boolean' },
          missed: { type: 'array', maxItems: 32, items: { type: 'string', maxLength: 80 } },
        },
      },
    },
    reportUri: { type: 'string', pattern: '^s3://' },
    version: {
      type: 'object',
      additionalProperties: false,
      required: ['bucket', 'prefix', 'model', 'webModel', 'modelBytes', 'webModelBytes'],
      properties: {
        bucket: { type: 'string', minLength: 3 },
        prefix: { type: 'string', pattern: '^assets/[A-Z0-9]{10}/versions/[1-9][0-9]*/$' },
        model: { type: 'string' },
        webModel: { type: 'string' },
        modelBytes: { type: 'integer', minimum: 0 },
        webModelBytes: { type: 'integer', minimum: 0 },
        arModel: { type: 'string' },
        arModelBytes: { type: 'integer', minimum: 0 },
      },
    },
    repair: {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'changes', 'provenanceUri'],
      properties: {
        source: {
          type: 'object',
          additionalProperties: false,
          required: ['errors', 'codes', 'reportUri'],
          properties: {
            errors: { type: 'integer', minimum: 1 },
            codes: {
              type: 'array',
              maxItems: MAX_COMPACT_FINDINGS,
              items: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,79}$' },
            },
            reportUri: { type: 'string', pattern: '^s3://' },
          },
        },
        changes: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_REPAIR_CHANGES,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['fix', 'summary'],
            properties: {
              fix: { type: 'string', pattern: '^[a-z][a-z-]{1,39}$' },
              summary: { type: 'string', maxLength: 300 },
            },
          },
        },
        provenanceUri: { type: 'string', pattern: '^s3://' },
      },
    },
    completedAt: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
    },
    tools: {
      type: 'object',
      additionalProperties: false,
      required: ['validator', 'gltfValidator'],
      properties: { validator: { type: 'string' }, gltfValidator: { type: 'string' } },
    },
  },
  allOf: [
    // A passed verdict always names the version it ingested; a failed one never does.
    {
      if: { properties: { verdict: { const: 'Passed' } } },
      // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON-schema keyword, not a thenable
      then: { required: ['version', 'reportUri'] },
      else: { not: { required: ['version'] } },
    },
    // Only a version can be a repaired candidate.
    {
      if: { required: ['repair'] },
      // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON-schema keyword, not a thenable
      then: { properties: { verdict: { const: 'Passed' } } },
    },
  ],
} as const;

/** Thrown by {@link parseValidationResult}; `code` is stable. */
export class ValidationResultError extends Error {
  override name = 'ValidationResultError';
  readonly code = 'VALIDATION_RESULT_INVALID';
}

const validate = new Ajv({ allErrors: true }).compile(VALIDATION_RESULT_SCHEMA);

/**
 * Checks that `value` (parsed JSON) is a {@link ValidationResult} and returns it typed.
 * Throws {@link ValidationResultError} naming every problem (JSON pointer and reason) otherwise.
 */
export function parseValidationResult(value: unknown): ValidationResult {
  if (validate(value)) return value as unknown as ValidationResult;
  const problems = (validate.errors ?? [])
    .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
    .join('; ');
  throw new ValidationResultError(
    `not a ${VALIDATION_RESULT_API_VERSION} validation result: ${problems}. ` +
      'It is written by `shazam validate-job`; re-run the validation Job to rewrite it.',
  );
}
