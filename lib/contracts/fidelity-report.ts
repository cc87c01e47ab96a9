/**
 * `fidelity.json`: how a rendered turntable matches the reference photos of its delivery, written by the
 * render Job beside `manifest.json` when its RenderJob names the references (`spec.references`). The
 * QAReview controller copies `fidelity` into `QAReview.status.fidelity` as it is, so this schema holds the
 * same bounds as the CRD's (crds/qareviews.yaml; `fidelity-report.test.ts` checks the two agree).
 *
 * @example
 * ```ts
 * const report = parseFidelityReport(JSON.parse(text), 's3://assets/…/renders/fidelity.json');
 * report.fidelity.references[0]?.verdict // 'Match'
 * ```
 */
import { Ajv } from 'ajv';
import Type, { type Static } from 'typebox';
import type { ReferenceFidelity } from '../../crds/api.ts';

/** The report's file name, beside the render's `manifest.json`. */
export const FIDELITY_FILE = 'fidelity.json';

/** The `apiVersion` of every fidelity report. */
export const FIDELITY_REPORT_API_VERSION = 'shazam.dev/fidelity/v1';

const closed = { additionalProperties: false } as const;
const crop = () => Type.Array(Type.Number(), { minItems: 4, maxItems: 4 });

const ReferenceMatchSchema = Type.Object(
  {
    reference: Type.String({ minLength: 1, maxLength: 1024 }),
    bestFrame: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
    angleDeg: Type.Number({ minimum: 0, maximum: 360 }),
    elevationDeg: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    referenceCrop: Type.Optional(crop()),
    frameCrop: Type.Optional(crop()),
    closeUp: Type.Optional(Type.Boolean()),
    scores: Type.Object(
      {
        silhouetteIoU: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        colourDeltaE: Type.Optional(Type.Number({ minimum: 0 })),
        structuralSimilarity: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
        descriptorSimilarity: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
      },
      closed,
    ),
    verdict: Type.Union([Type.Literal('Match'), Type.Literal('Check'), Type.Literal('Mismatch')]),
    reasons: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 8 })),
  },
  closed,
);

/** The schema of `fidelity.json`. */
export const FIDELITY_REPORT_SCHEMA = Type.Object(
  {
    apiVersion: Type.Literal(FIDELITY_REPORT_API_VERSION),
    /** `QAReview.status.fidelity`, as the QAReview controller writes it. */
    fidelity: Type.Object(
      {
        computedAt: Type.Optional(Type.String({ format: 'date-time' })),
        renderPrefix: Type.Optional(Type.String({ maxLength: 1024 })),
        references: Type.Array(ReferenceMatchSchema, { maxItems: 64 }),
        error: Type.Optional(Type.String({ maxLength: 1024 })),
      },
      closed,
    ),
    /** Seconds the assessment took (decoding, candidates, scoring). */
    seconds: Type.Number({ minimum: 0 }),
  },
  { ...closed, $id: 'https://shazam.dev/schemas/fidelity-report-v1.json' },
);

/** A fidelity report, as {@link FIDELITY_REPORT_SCHEMA} describes it. */
export type FidelityReport = Static<typeof FIDELITY_REPORT_SCHEMA> & { fidelity: ReferenceFidelity };

/** Thrown by {@link parseFidelityReport} for a document that does not follow the contract. */
export class FidelityReportError extends Error {
  override name = 'FidelityReportError';
  /** Stable code for logs and metrics. */
  readonly code = 'SHAZAM_FIDELITY_REPORT_INVALID';
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
const validate = ajv.compile(FIDELITY_REPORT_SCHEMA);

/**
 * Validates a parsed `fidelity.json` and returns it typed; throws a {@link FidelityReportError} naming the
 * first problems otherwise.
 *
 * @param source where the document came from, for the error message (e.g. its s3:// URI).
 */
export function parseFidelityReport(value: unknown, source = 'fidelity report'): FidelityReport {
  if (!validate(value)) {
    const problems = (validate.errors ?? [])
      .slice(0, 5)
      .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
      .join('; ');
    throw new FidelityReportError(`${source} is not a valid fidelity report: ${problems}`);
  }
  return value as FidelityReport;
}

/** The report of one assessment. Pure. */
export function fidelityReport(fidelity: ReferenceFidelity, seconds: number): FidelityReport {
  return { apiVersion: FIDELITY_REPORT_API_VERSION, fidelity, seconds };
}
