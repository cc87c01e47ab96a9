/**
 * The turntable storefront profiles as the RenderJob reports them: `status.profiles`, one compact entry per
 * profile (met, the limit keys missed, one sentence per miss). The frames under the fill are not repeated
 * here: `status.fillCheck.misses` lists them. Pure.
 */

import {
  evaluateTurntableProfiles,
  TURNTABLE_PROFILES,
  type TurntableProfile,
  turntableFacts,
} from '../../lib/profiles/turntable-profiles.ts';
import type { RenderJob, RenderJobStatus } from '../resources.ts';

/** One entry of `RenderJob.status.profiles` (its shape is the CRD's, crds/renderjobs.yaml). */
export type RenderProfileStatus = NonNullable<RenderJobStatus['profiles']>[number];

/**
 * The profiles of a RenderJob judged on its spec, `status.framesRendered` and `status.fillCheck`: what a
 * succeeded render writes to `status.profiles`.
 *
 * @example
 * ```ts
 * renderProfiles({ spec, status: { framesRendered: 72, fillCheck } })
 * // → [{ id: 'amazon-360', met: false, missed: ['minProductFill'], reasons: ['5 of 72 frames …'] }]
 * ```
 */
export function renderProfiles(
  renderJob: Pick<RenderJob, 'spec' | 'status'>,
  profiles: TurntableProfile[] = TURNTABLE_PROFILES,
): RenderProfileStatus[] {
  return evaluateTurntableProfiles(turntableFacts(renderJob), profiles).map(
    ({ id, met, missed, reasons }) => ({ id, met, missed, reasons }),
  );
}
