import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ReferenceFidelity } from '../../crds/api.ts';
import { FidelityReportError, fidelityReport, parseFidelityReport } from './fidelity-report.ts';

const match = {
  reference: 'references/front.jpg',
  bestFrame: 3,
  angleDeg: 30,
  elevationDeg: 20,
  referenceCrop: [0.1, 0.1, 0.9, 0.9],
  frameCrop: [0.2, 0.2, 0.8, 0.8],
  closeUp: false,
  scores: { silhouetteIoU: 0.93, colourDeltaE: 4.2, structuralSimilarity: 0.4, descriptorSimilarity: 0.95 },
  verdict: 'Match' as const,
  reasons: ['silhouette IoU 0.93 ≥ 0.85'],
};

const valid: ReferenceFidelity = {
  computedAt: '2026-01-02T03:04:05.000Z',
  renderPrefix: 's3://shazam-assets/assets/B0D4KMX7Q2/versions/1/renders/',
  references: [match],
};

/** Fidelity objects the CRD must refuse, one bound each. */
const invalid: Record<string, unknown> = {
  'a verdict outside the enum': { references: [{ ...match, verdict: 'Maybe' }] },
  'more than 64 references': { references: Array.from({ length: 65 }, () => match) },
  'more than 8 reasons': { references: [{ ...match, reasons: Array.from({ length: 9 }, () => 'r') }] },
  'a negative frame': { references: [{ ...match, bestFrame: -1 }] },
  'an angle past 360': { references: [{ ...match, angleDeg: 400 }] },
  'a crop of three numbers': { references: [{ ...match, frameCrop: [0, 0, 1] }] },
  'an IoU above 1': { references: [{ ...match, scores: { silhouetteIoU: 1.5 } }] },
  'an empty reference name': { references: [{ ...match, reference: '' }] },
  'no references list': { computedAt: valid.computedAt },
  'an error of 2,000 characters': { references: [], error: 'x'.repeat(2000) },
};

async function crdValidator() {
  const crd = parse(await readFile(join(import.meta.dirname, '../../crds/qareviews.yaml'), 'utf8'));
  const schema = crd.spec.versions[0].schema.openAPIV3Schema.properties.status.properties.fidelity;
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (ajv: Ajv) => Ajv)(ajv);
  ajv.addFormat('int32', true);
  return ajv.compile(schema);
}

describe('fidelity.json contract', () => {
  it('accepts what the CRD accepts and refuses, naming the field, what it refuses', async () => {
    const crd = await crdValidator();
    expect(crd(valid)).toBe(true);
    expect(parseFidelityReport(fidelityReport(valid, 1.5)).fidelity).toEqual(valid);
    for (const [what, fidelity] of Object.entries(invalid)) {
      expect(crd(fidelity), `CRD: ${what}`).toBe(false);
      expect(() => parseFidelityReport(fidelityReport(fidelity as ReferenceFidelity, 1)), what).toThrow(
        FidelityReportError,
      );
    }
    expect(() =>
      parseFidelityReport(
        fidelityReport({ references: [{ ...match, verdict: 'Maybe' }] } as unknown as ReferenceFidelity, 1),
        's3://b/k/fidelity.json',
      ),
    ).toThrow(
      /s3:\/\/b\/k\/fidelity\.json is not a valid fidelity report: \/fidelity\/references\/0\/verdict/,
    );
  });

  it('refuses another apiVersion and fields the status does not have', () => {
    expect(() =>
      parseFidelityReport({ ...fidelityReport(valid, 1), apiVersion: 'shazam.dev/fidelity/v2' }),
    ).toThrow(FidelityReportError);
    expect(() =>
      parseFidelityReport(fidelityReport({ ...valid, extra: true } as unknown as ReferenceFidelity, 1)),
    ).toThrow(/must NOT have additional properties/);
  });
});
