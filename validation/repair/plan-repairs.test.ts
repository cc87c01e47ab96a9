import { describe, expect, it } from 'vitest';
import { type Finding, finding } from '../findings.ts';
import { DEFAULT_POLICY } from '../policy/policy.ts';
import { planRepairs } from './plan-repairs.ts';

const scale = finding('CLEANUP_SCALE', 'The model measures 160 m.');
const origin = finding('CLEANUP_ORIGIN', 'Off the origin.');
const texture = finding('TEXTURING_TEXTURE_TOO_LARGE', 'Image is 4096×4096.');
const noUv = finding('UV_MISSING_TEXCOORD', 'No TEXCOORD_0.');
const names = finding('CLEANUP_NAMES', 'Bad names.');
const all = DEFAULT_POLICY.repair;

describe('planRepairs', () => {
  it.each<[string, Finding[], typeof all, string[], boolean]>([
    // Every error has an allowed fix: worth a repaired candidate, fixes in scale → origin → texture order.
    [
      'all three fixable errors',
      [texture, origin, scale],
      all,
      ['unit-scale', 'recenter', 'downsize-textures'],
      true,
    ],
    // A single fixable error.
    ['only off the origin', [origin], all, ['recenter'], true],
    // An error without a mechanical fix: the artist must redo the delivery anyway.
    ['a fixable and an unfixable error', [origin, noUv], all, ['recenter'], false],
    // Warnings and infos never call for a repair and never block one.
    ['an info beside a fixable error', [names, origin], all, ['recenter'], true],
    // Policy forbids the fix: the error stays.
    ['recentring not allowed', [origin], { ...all, allowed: ['unit-scale'] }, [], false],
    // Repairs switched off.
    ['repairs off', [scale], { ...all, allowed: [] }, [], false],
    // Nothing failed: nothing to repair.
    ['no findings', [], all, [], false],
  ])('%s', (_name, findings, policy, fixes, worthwhile) => {
    const plan = planRepairs(findings, policy);
    expect(plan.fixes).toEqual(fixes);
    expect(plan.worthwhile).toBe(worthwhile);
  });
});
