import { describe, expect, it } from 'vitest';
import {
  parseValidationResult,
  VALIDATION_RESULT_API_VERSION,
  type ValidationResult,
  ValidationResultError,
} from './validation-result.ts';

function failed(): ValidationResult {
  return {
    apiVersion: VALIDATION_RESULT_API_VERSION,
    asin: 'B0D4KMX7Q2',
    revision: 2,
    sha256: 'f'.repeat(64),
    verdict: 'Failed',
    stages: { cleanup: 'Failed', uv: 'Passed', texturing: 'Skipped' },
    errors: 1,
    warnings: 0,
    findings: [
      {
        code: 'CLEANUP_ORIGIN',
        severity: 'error',
        stage: 'cleanup',
        message: 'The base centre is not at the origin.',
        location: 'model/B0D4KMX7Q2.glb',
      },
    ],
    summary: 'B0D4KMX7Q2 r2 failed: 1 error(s).',
    profiles: [{ id: 'khronos-web', met: false, missed: ['maxFileBytes'] }],
    completedAt: '2026-11-21T18:00:00.000Z',
    tools: { validator: 'shazam-validation/1.0', gltfValidator: '2.0.0-dev.3.10' },
  };
}

describe('parseValidationResult', () => {
  it('accepts a failed result and a passed one with its version', () => {
    expect(parseValidationResult(failed())).toEqual(failed());
    const passed: ValidationResult = {
      ...failed(),
      verdict: 'Passed',
      errors: 0,
      findings: [],
      reportUri: 's3://shazam-assets/assets/B0D4KMX7Q2/versions/2/validation.json',
      version: {
        bucket: 'shazam-assets',
        prefix: 'assets/B0D4KMX7Q2/versions/2/',
        model: 'assets/B0D4KMX7Q2/versions/2/model.glb',
        webModel: 'assets/B0D4KMX7Q2/versions/2/model.web.glb',
        modelBytes: 100,
        webModelBytes: 50,
      },
    };
    expect(parseValidationResult(passed).version?.prefix).toBe('assets/B0D4KMX7Q2/versions/2/');
  });

  it.each([
    // each row: how the document is broken, and the pointer the error must name
    ['wrong apiVersion', { apiVersion: 'v0' }, '/apiVersion'],
    ['lowercase ASIN', { asin: 'b0d4kmx7q2' }, '/asin'],
    ['revision 0', { revision: 0 }, '/revision'],
    ['short sha256', { sha256: 'abc' }, '/sha256'],
    ['unknown verdict', { verdict: 'Maybe' }, '/verdict'],
    [
      'unknown stage verdict',
      { stages: { cleanup: 'Done', uv: 'Passed', texturing: 'Passed' } },
      '/stages/cleanup',
    ],
    ['eleven findings', { findings: Array(11).fill(failed().findings[0]) }, '/findings'],
    ['Passed without a version', { verdict: 'Passed' }, 'version'],
    ['unknown field', { extra: 1 }, 'additional'],
    // Only a version can be a repaired candidate.
    [
      'a repair on a failed verdict',
      {
        repair: {
          source: { errors: 1, codes: ['CLEANUP_ORIGIN'], reportUri: 's3://b/r.json' },
          changes: [{ fix: 'recenter', summary: 'Moved the model.' }],
          provenanceUri: 's3://b/repair.json',
        },
      },
      '/verdict',
    ],
    [
      'a repair that changed nothing',
      {
        repair: {
          source: { errors: 1, codes: ['CLEANUP_ORIGIN'], reportUri: 's3://b/r.json' },
          changes: [],
          provenanceUri: 's3://b/repair.json',
        },
      },
      '/repair/changes',
    ],
  ])('rejects a result with %s', (_what, patch, pointer) => {
    expect(() => parseValidationResult({ ...failed(), ...patch })).toThrow(ValidationResultError);
    expect(() => parseValidationResult({ ...failed(), ...patch })).toThrow(pointer);
  });

  it('rejects what is not an object', () => {
    expect(() => parseValidationResult('Passed')).toThrow('not a shazam.dev/validation-result/v1');
  });
});
