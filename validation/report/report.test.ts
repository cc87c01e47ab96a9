import { describe, expect, it } from 'vitest';
import type { Stage } from '../../lib/contracts/validation-result.ts';
import { type Finding, finding } from '../findings.ts';
import { DEFAULT_POLICY } from '../policy/policy.ts';
import { buildReport, toCompactResult } from './report.ts';

function report(findings: Finding[], claimed: Stage[] = ['cleanup', 'uv', 'texturing'], severities = {}) {
  return buildReport({
    asin: 'B0REPORT01',
    revision: 4,
    claimedStages: claimed,
    checkedStages: ['cleanup', 'uv', 'texturing'],
    findings,
    profiles: [],
    stats: {},
    policy: { ...DEFAULT_POLICY, severities },
    tools: { validator: 'v', gltfValidator: 'g' },
    startedAt: '2026-11-21T00:00:00.000Z',
    completedAt: '2026-11-21T00:00:01.000Z',
  });
}

describe('buildReport', () => {
  it.each([
    // each row: findings, claimed stages, expected verdict and stage verdicts
    [[], ['cleanup', 'uv', 'texturing'], 'Passed', { cleanup: 'Passed', uv: 'Passed', texturing: 'Passed' }],
    [
      ['CLEANUP_ORIGIN'],
      ['cleanup', 'uv', 'texturing'],
      'Failed',
      { cleanup: 'Failed', uv: 'Passed', texturing: 'Passed' },
    ],
    // An unclaimed stage is skipped and its findings dropped.
    [['CLEANUP_ORIGIN'], ['uv'], 'Passed', { cleanup: 'Skipped', uv: 'Passed', texturing: 'Skipped' }],
    // A warning never fails.
    [['UV_OUT_OF_RANGE'], ['uv'], 'Passed', { cleanup: 'Skipped', uv: 'Passed', texturing: 'Skipped' }],
    // Findings outside the artist stages fail the verdict but no stage.
    [['REFERENCES_TOO_FEW'], ['uv'], 'Failed', { cleanup: 'Skipped', uv: 'Passed', texturing: 'Skipped' }],
  ] as const)('%j claimed %j → %s %j', (codes, claimed, verdict, stages) => {
    const built = report(
      codes.map((code) => finding(code, code)),
      [...claimed],
    );
    expect(built.verdict).toBe(verdict);
    expect(built.stages).toEqual(stages);
  });

  it('applies severity overrides and sorts errors first', () => {
    const built = report(
      [
        finding('CLEANUP_NAMES', 'names'),
        finding('UV_OUT_OF_RANGE', 'uv'),
        finding('CLEANUP_ORIGIN', 'origin'),
      ],
      ['cleanup', 'uv'],
      { UV_OUT_OF_RANGE: 'error' },
    );
    expect(built.findings.map((item) => [item.code, item.severity])).toEqual([
      ['UV_OUT_OF_RANGE', 'error'],
      ['CLEANUP_ORIGIN', 'error'],
      ['CLEANUP_NAMES', 'info'],
    ]);
    expect(built.counts).toEqual({ errors: 2, warnings: 0, infos: 1 });
    expect(built.summary).toContain('B0REPORT01 r4 failed: 2 error(s)');
  });
});

describe('toCompactResult', () => {
  it('keeps at most 10 findings, errors first, no infos, and clips long messages', () => {
    const many = Array.from({ length: 30 }, (_, index) =>
      finding(index % 2 ? 'CLEANUP_NAMES' : 'CLEANUP_DEGENERATE_TRIANGLES', 'x'.repeat(1000), {
        file: `f${index}`,
      }),
    );
    const result = toCompactResult(report(many), 'a'.repeat(64));
    expect(result.findings).toHaveLength(10);
    expect(result.findings.every((item) => item.severity === 'error' && item.message.length <= 300)).toBe(
      true,
    );
    expect(JSON.stringify(result).length).toBeLessThan(8 * 1024);
  });
});
