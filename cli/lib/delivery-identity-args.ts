import { type ParsedArgs, positiveIntegerOption, stringOption } from '../../lib/cli/args.ts';
import { deliveryIdentity, type LoadedDelivery } from '../../lib/shazam-client/delivery.ts';

/**
 * The ASIN and revision of `delivery`, from `--asin` and `--revision` when given, else from its
 * `manifest.yaml` (see {@link deliveryIdentity}, which also refuses flags that contradict the manifest).
 */
export function deliveryIdentityFromArgs(
  delivery: LoadedDelivery,
  args: ParsedArgs,
): { asin: string; revision: number } {
  const asin = stringOption(args, 'asin');
  const revision = positiveIntegerOption(args, 'revision');
  return deliveryIdentity(delivery, {
    ...(asin !== undefined ? { asin } : {}),
    ...(revision !== undefined ? { revision } : {}),
  });
}
