import type { AssetSubmission } from '../../crds/api.ts';
import type { KubeClient } from '../kube/client.ts';
import { CLIENT_ERROR_CODES, ClientError } from './errors.ts';
import { getResource } from './resources.ts';
import { displayedPhase, FINAL_PHASES } from './submission-phase.ts';

/** Options of {@link waitForPhase}. */
export interface WaitForPhaseOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  /** The phase to reach. */
  phase: string;
  /** Only a status of this revision counts (e.g. the one just submitted); any revision when unset. */
  revision?: number;
  timeoutMs: number;
  /** How often to read the submission. Default 1000 ms. */
  pollMs?: number;
  /** Called once per observed phase change, with the submission as read. */
  onPhase?: (phase: string, submission: AssetSubmission) => void;
  /** Called on every poll, for a progress line. */
  onTick?: (phase: string, elapsedMs: number) => void;
}

/**
 * Polls an AssetSubmission until its phase is `phase`, reporting each phase change on the way.
 *
 * Guarantees: resolves with the submission in `phase`; rejects with a ClientError `timeout` after
 * `timeoutMs`, or `unexpectedPhase` when the submission settles in a final phase other than `phase` (say
 * Rejected while waiting for Published), with the status message, since it will not move on its own.
 */
export async function waitForPhase(options: WaitForPhaseOptions): Promise<AssetSubmission> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 1000;
  let last: string | undefined;
  for (;;) {
    const submission = await getResource(options.client, 'AssetSubmission', options.namespace, options.name);
    const ofRevision = options.revision === undefined || submission.spec.revision === options.revision;
    const phase = ofRevision ? displayedPhase(submission) : 'Pending';
    if (phase !== last) {
      last = phase;
      options.onPhase?.(phase, submission);
    }
    const elapsed = Date.now() - started;
    options.onTick?.(phase, elapsed);
    if (phase === options.phase) return submission;
    if (FINAL_PHASES.has(phase)) {
      throw new ClientError(
        CLIENT_ERROR_CODES.unexpectedPhase,
        `${options.name} stopped in phase ${phase} instead of ${options.phase}: ${submission.status?.message ?? 'no message'}`,
      );
    }
    if (elapsed > options.timeoutMs) {
      throw new ClientError(
        CLIENT_ERROR_CODES.timeout,
        `${options.name} did not reach ${options.phase} in ${Math.round(options.timeoutMs / 1000)} s (still ${phase})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
