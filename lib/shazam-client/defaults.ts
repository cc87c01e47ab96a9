/**
 * Where artists' uploads go when neither `--bucket` nor `SHAZAM_INCOMING_BUCKET` says otherwise; it
 * matches the operator's default incoming bucket.
 */
export const DEFAULT_INCOMING_BUCKET = 'shazam-incoming';

/** The incoming bucket from `--bucket`, then `SHAZAM_INCOMING_BUCKET`, then the default. */
export function incomingBucket(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.SHAZAM_INCOMING_BUCKET ?? DEFAULT_INCOMING_BUCKET;
}
