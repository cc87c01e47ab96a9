/**
 * One owner per ASIN: which AssetSubmission may validate, promote and publish an ASIN, and how ownership
 * passes from one submission to another. Pure.
 *
 * The rule: the oldest submission of an ASIN (by creation time, then `namespace/name`) owns it, unless a
 * later one takes it over by naming the owner in its {@link TAKES_OVER_ANNOTATION}
 * (`<namespace>/<name>`). A take-over can itself be taken over, so ownership follows the chain to its end;
 * where two submissions name the same owner, the older of the two wins. A submission in the chain keeps
 * what it published until its successor publishes a newer version (then it is Superseded); any other
 * submission of the ASIN is refused before it writes anything.
 */
import type { AssetSubmission } from '../resources.ts';

/** The annotation by which a submission takes an ASIN over from its owner: `<namespace>/<name>`. */
export const TAKES_OVER_ANNOTATION = 'pipeline.shazam.dev/takes-over';

/** A submission's standing for its ASIN. */
export type Ownership =
  /** It owns the ASIN, or owned it before the current owner took it over. */
  | { state: 'owner' }
  /** Another submission owns the ASIN: this one is refused. */
  | { state: 'refused'; owner: { namespace: string; name: string } };

function keyOf(submission: AssetSubmission): string {
  return `${submission.metadata.namespace}/${submission.metadata.name}`;
}

function older(a: AssetSubmission, b: AssetSubmission): number {
  const byTime = (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '');
  return byTime !== 0 ? byTime : keyOf(a).localeCompare(keyOf(b));
}

/**
 * The standing of `submission` among `peers` (every submission of its ASIN, itself included or not).
 * Submissions being deleted hold no ownership, except `submission` itself, whose cleanup needs it.
 */
export function asinOwnership(submission: AssetSubmission, peers: readonly AssetSubmission[]): Ownership {
  const self = keyOf(submission);
  const live = [
    submission,
    ...peers.filter((peer) => keyOf(peer) !== self && peer.metadata.deletionTimestamp === undefined),
  ]
    .filter((peer) => peer.spec.asin === submission.spec.asin)
    .sort(older);
  const keys = new Set(live.map(keyOf));
  const target = (peer: AssetSubmission) => peer.metadata.annotations?.[TAKES_OVER_ANNOTATION]?.trim();
  // The root: the oldest submission that does not take over from a live peer.
  const root =
    live.find((peer) => {
      const from = target(peer);
      return from === undefined || !keys.has(from) || from === keyOf(peer);
    }) ?? live[0]; // A cycle of take-overs: the oldest of it owns.
  const chain: string[] = [];
  let current = root;
  while (current && !chain.includes(keyOf(current))) {
    chain.push(keyOf(current));
    const from = keyOf(current);
    current = live.find((peer) => target(peer) === from && !chain.includes(keyOf(peer)));
  }
  if (chain.includes(self)) return { state: 'owner' };
  const ownerKey = chain[chain.length - 1] ?? self;
  const slash = ownerKey.indexOf('/');
  return {
    state: 'refused',
    owner: { namespace: ownerKey.slice(0, slash), name: ownerKey.slice(slash + 1) },
  };
}
