import type { Finding } from '../findings.ts';
import type { RepairPolicy } from '../policy/policy.ts';

/** A mechanical fix the repair stage knows. */
export type RepairFix = RepairPolicy['allowed'][number];

/** Which finding each fix answers; a fix is planned only when its finding is an error of the delivery. */
export const FIX_FOR_FINDING: Readonly<Record<string, RepairFix>> = {
  CLEANUP_SCALE: 'unit-scale',
  CLEANUP_ORIGIN: 'recenter',
  TEXTURING_TEXTURE_TOO_LARGE: 'downsize-textures',
};

/** Order fixes run in: scale first (the origin is judged in metres), then origin, then textures. */
const ORDER: RepairFix[] = ['unit-scale', 'recenter', 'downsize-textures'];

/** What {@link planRepairs} decided. */
export interface RepairPlan {
  /** Fixes to apply, in order. */
  fixes: RepairFix[];
  /** Errors no allowed fix answers: while any remain, a repaired candidate would still be rejected. */
  unrepaired: Finding[];
  /** True when the fixes answer every error (the repaired candidate is worth building). */
  worthwhile: boolean;
}

/**
 * Plans the repairs of a failed delivery from its findings and the policy. Pure.
 *
 * @example
 * ```ts
 * const plan = planRepairs(report.findings, policy.repair);
 * if (plan.worthwhile) await repairModel(document, plan.fixes, policy);
 * ```
 */
export function planRepairs(findings: readonly Finding[], policy: RepairPolicy): RepairPlan {
  const allowed = new Set(policy.allowed);
  const planned = new Set<RepairFix>();
  const unrepaired: Finding[] = [];
  for (const item of findings) {
    if (item.severity !== 'error') continue;
    const fix = FIX_FOR_FINDING[item.code];
    if (fix && allowed.has(fix)) planned.add(fix);
    else unrepaired.push(item);
  }
  const fixes = ORDER.filter((fix) => planned.has(fix));
  return { fixes, unrepaired, worthwhile: fixes.length > 0 && unrepaired.length === 0 };
}
