import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseCommandArgs, stringOption } from '../../lib/cli/args.ts';
import type { CliCommand, CliIO } from '../../lib/cli/command.ts';
import { UsageError } from '../../lib/cli/command.ts';
import { formatBytes } from '../../lib/cli/progress.ts';
import { incomingBucket } from '../../lib/shazam-client/defaults.ts';
import { deliveryFromZip } from '../../lib/shazam-client/delivery.ts';
import { packDirectory } from '../../lib/shazam-client/deterministic-zip.ts';
import { incomingKey } from '../../lib/storage/layout.ts';
import { formatS3Uri } from '../../lib/storage/s3-uri.ts';
import { deliveryIdentityFromArgs } from '../lib/delivery-identity-args.ts';
import { reportError } from '../lib/report-error.ts';

const usage = `usage: shazam pack <delivery-folder> [-o <file.zip>] [options]

Packs a delivery folder into a deterministic ZIP (sorted entries, fixed timestamps): the same files
always give the same bytes and sha256. Prints the sha256 and the delivery block of the AssetSubmission.

options:
  -o, --output <file>   where to write the ZIP (default: <ASIN>-r<revision>.zip)
  --asin <ASIN>         ASIN when the folder has no manifest.yaml
  --revision <n>        revision when the folder has no manifest.yaml
  --bucket <name>       incoming bucket for the printed URI (default: $SHAZAM_INCOMING_BUCKET or shazam-incoming)`;

/** Renders the `delivery:` block an artist pastes into the AssetSubmission. */
export function deliverySnippet(uri: string, sha256: string): string {
  return `delivery:\n  uri: ${uri}\n  sha256: ${sha256}\n`;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(argv, {
    output: { type: 'string', short: 'o' },
    asin: { type: 'string' },
    revision: { type: 'string' },
    bucket: { type: 'string' },
  });
  const [folder, ...extra] = args.positionals;
  if (folder === undefined) throw new UsageError('name the delivery folder to pack');
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  try {
    const dir = resolve(io.cwd, folder);
    const packed = await packDirectory(dir);
    const delivery = await deliveryFromZip(packed.zip, dir);
    const { asin, revision } = deliveryIdentityFromArgs(delivery, args);
    const output = resolve(io.cwd, stringOption(args, 'output') ?? `${asin}-r${revision}.zip`);
    await writeFile(output, packed.zip);
    const uri = formatS3Uri({
      bucket: incomingBucket(stringOption(args, 'bucket'), io.env),
      key: incomingKey(asin, revision),
    });
    io.stderr(`Packed ${packed.entries.length} files into ${output} (${formatBytes(packed.zip.length)})\n`);
    io.stdout(`sha256: ${packed.sha256}\n\n${deliverySnippet(uri, packed.sha256)}`);
    return 0;
  } catch (error) {
    return reportError(io, 'pack', error);
  }
}

/** `shazam pack`: a deterministic delivery ZIP and its sha256. */
export const command: CliCommand = {
  summary: 'pack a delivery folder into a deterministic ZIP and print its sha256',
  usage,
  run,
};
