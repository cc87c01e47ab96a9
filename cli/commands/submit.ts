import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseCommandArgs, requiredOption, stringOption } from '../../lib/cli/args.ts';
import type { CliCommand, CliIO } from '../../lib/cli/command.ts';
import { UsageError } from '../../lib/cli/command.ts';
import { ProgressReporter, progressSink, renderProgressBar } from '../../lib/cli/progress.ts';
import { incomingBucket } from '../../lib/shazam-client/defaults.ts';
import { loadDelivery } from '../../lib/shazam-client/delivery.ts';
import {
  type ProductFields,
  renderSubmissionManifest,
  submissionName,
} from '../../lib/shazam-client/submission-manifest.ts';
import { uploadDelivery } from '../../lib/shazam-client/upload-delivery.ts';
import { incomingKey } from '../../lib/storage/layout.ts';
import { createS3Client, s3ConnectionFromEnv } from '../../lib/storage/s3-client.ts';
import { formatS3Uri } from '../../lib/storage/s3-uri.ts';
import { deliveryIdentityFromArgs } from '../lib/delivery-identity-args.ts';
import { reportError } from '../lib/report-error.ts';

const usage = `usage: shazam submit <delivery-folder|delivery.zip> --gitops-dir <folder> [options]

Uploads the delivery to s3://<bucket>/incoming/<ASIN>/r<revision>.zip (with a progress bar), then writes
the AssetSubmission manifest into the GitOps repository folder. Commit and push that file to submit.
Re-running for a new revision updates the same file, keeping its product fields and comments.

options:
  --gitops-dir <folder>  folder of the GitOps repository that holds AssetSubmission manifests (required)
  --name <name>          object and file name (default: the ASIN in lower case)
  -n, --namespace <ns>   metadata.namespace to write (default: none, Argo CD's destination decides)
  --bucket <name>        incoming bucket (default: $SHAZAM_INCOMING_BUCKET or shazam-incoming)
  --asin <ASIN>          ASIN when the delivery has no manifest.yaml
  --revision <n>         revision when the delivery has no manifest.yaml
  --artist <name>        artist (default: manifest.yaml's artist)
  --title <text>         product title (required for a new submission)
  --brand <text>         product brand (required for a new submission)
  --tag <tag>            product tag for search (repeatable)
  --description <text>   product description

S3 connection: AWS_ENDPOINT_URL_S3, AWS_REGION, AWS credentials as the AWS CLI reads them.`;

function productFromArgs(args: ReturnType<typeof parseCommandArgs>): ProductFields {
  const product: ProductFields = {};
  const title = stringOption(args, 'title');
  const brand = stringOption(args, 'brand');
  const description = stringOption(args, 'description');
  const tags = args.values.tag;
  if (title !== undefined) product.title = title;
  if (brand !== undefined) product.brand = brand;
  if (description !== undefined) product.description = description;
  if (Array.isArray(tags)) product.tags = tags;
  return product;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(argv, {
    'gitops-dir': { type: 'string' },
    name: { type: 'string' },
    namespace: { type: 'string', short: 'n' },
    bucket: { type: 'string' },
    asin: { type: 'string' },
    revision: { type: 'string' },
    artist: { type: 'string' },
    title: { type: 'string' },
    brand: { type: 'string' },
    tag: { type: 'string', multiple: true },
    description: { type: 'string' },
  });
  const [source, ...extra] = args.positionals;
  if (source === undefined) throw new UsageError('name the delivery folder or ZIP to submit');
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const gitopsDir = resolve(io.cwd, requiredOption(args, 'gitops-dir'));
  const name = stringOption(args, 'name');
  if (name !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
    throw new UsageError(`--name must be a DNS label (a-z 0-9 -, at most 63 characters), got "${name}"`);
  }
  try {
    const delivery = await loadDelivery(resolve(io.cwd, source));
    const { asin, revision } = deliveryIdentityFromArgs(delivery, args);
    const bucket = incomingBucket(stringOption(args, 'bucket'), io.env);
    const key = incomingKey(asin, revision);
    const uri = formatS3Uri({ bucket, key });

    // The manifest is checked before the upload so a bad --name or revision costs no transfer.
    const objectName = name ?? submissionName(asin);
    const manifestPath = join(gitopsDir, `${objectName}.yaml`);
    const existing = await readIfPresent(manifestPath);
    const artist = stringOption(args, 'artist') ?? delivery.manifest?.artist;
    const namespace = stringOption(args, 'namespace');
    const manifest = renderSubmissionManifest(
      {
        name: objectName,
        ...(namespace !== undefined ? { namespace } : {}),
        asin,
        revision,
        ...(artist !== undefined ? { artist } : {}),
        stages: delivery.manifest?.stages ?? ['cleanup', 'uv', 'texturing'],
        delivery: { uri, sha256: delivery.sha256 },
        product: productFromArgs(args),
      },
      existing,
    );

    const s3 = createS3Client(s3ConnectionFromEnv(io.env));
    const progress = new ProgressReporter(progressSink(io), `Uploading ${uri}`);
    let outcome: Awaited<ReturnType<typeof uploadDelivery>>;
    try {
      outcome = await uploadDelivery({
        s3,
        bucket,
        key,
        zip: delivery.zip,
        sha256: delivery.sha256,
        onProgress: (sent, total) => progress.update(renderProgressBar(sent, total)),
      });
    } finally {
      s3.destroy();
    }
    progress.done(outcome === 'already-present' ? 'already uploaded (same sha256)' : undefined);

    await mkdir(gitopsDir, { recursive: true });
    await writeFile(manifestPath, manifest);
    const shown = relative(io.cwd, manifestPath) || manifestPath;
    io.stdout(
      `Wrote ${shown} (${asin} revision ${revision}, sha256 ${delivery.sha256.slice(0, 16)}…)\n` +
        `Next: git add ${shown} && git commit -m "${asin} r${revision}" && git push\n`,
    );
    return 0;
  } catch (error) {
    return reportError(io, 'submit', error);
  }
}

/** `shazam submit`: upload a delivery and write its AssetSubmission into the GitOps repository. */
export const command: CliCommand = {
  summary: 'upload a delivery and write its AssetSubmission manifest into a GitOps repo folder',
  usage,
  run,
};
