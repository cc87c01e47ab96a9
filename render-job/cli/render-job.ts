import type { S3Client } from '@aws-sdk/client-s3';
import { parseCommandArgs, requiredOption } from '../../lib/cli/args.ts';
import type { CliCommand, CliIO } from '../../lib/cli/command.ts';
import { UsageError } from '../../lib/cli/command.ts';
import { terminationMessage, writeTerminationMessage } from '../../lib/cli/termination-message.ts';
import { startJobMetrics } from '../../lib/metrics/job-metrics.ts';
import { getBytes } from '../../lib/storage/object-store.ts';
import { createS3Client, s3ConnectionFromEnv } from '../../lib/storage/s3-client.ts';
import { parseS3Uri } from '../../lib/storage/s3-uri.ts';
import { isStorageError } from '../../lib/storage/storage-error.ts';
import { RenderError } from '../errors.ts';
import { s3Sink } from '../output/s3-sink.ts';
import { renderTurntable } from '../render-turntable.ts';
import type { TurntableViews } from '../turntable-views.ts';
import { jsonLineLogger } from './json-logger.ts';
import { writeReferenceFidelity } from './reference-fidelity.ts';
import { RENDER_OPTION_SPEC, RENDER_OPTION_USAGE, renderOptionsFromArgs } from './render-args.ts';
import { summarizeManifest } from './summarize-manifest.ts';

const USAGE = `usage: shazam render-job --source s3://<bucket>/<key>.glb --out s3://<bucket>/<prefix>/ [options]

The program of the RenderJob's Job: reads the GLB from S3, renders the turntable and writes 360/NNN.webp,
poster.webp, descriptors.json and, last, manifest.json under --out. S3 connection from the environment
(AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, SHAZAM_S3_FORCE_PATH_STYLE).
JSON log lines on stderr; the last stderr line of a failure is the reason, also written as
"CODE: message" to the termination message file $SHAZAM_TERMINATION_MESSAGE_PATH (default /dev/termination-log).

options:
  --source <s3-uri>       the GLB
  --out <s3-uri>          output prefix (a trailing slash is added when missing)
  --references <s3-uri>   reference photos (a prefix in the --out bucket): after the turntable, scores
                          each photo against its best view (refined between frames) and writes
                          fidelity.json (QA evidence)
${RENDER_OPTION_USAGE}

exit status: 0 rendered; 2 bad usage or options; 3 GLB not found; 4 GLB unreadable;
5 unsupported glTF extension; 6 no GPU (or only software without --allow-software);
7 out of memory; 8 GPU device failure; 9 output not writable; 10 S3 refused to read the GLB;
11 S3 unreachable or failing while reading the GLB.`;

/** `shazam render-job`: the render Job's program, S3 in and out. */
export const command: CliCommand = {
  summary: 'render Job: turntable of an S3 GLB into an S3 prefix',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseCommandArgs(argv, {
      ...RENDER_OPTION_SPEC,
      source: { type: 'string' },
      out: { type: 'string' },
      references: { type: 'string' },
    });
    if (args.positionals.length > 0)
      throw new UsageError(`unexpected arguments: ${args.positionals.join(' ')}`);
    const source = s3Option(requiredOption(args, 'source'), 'source');
    const out = s3Option(requiredOption(args, 'out'), 'out');
    const prefix = out.key === '' || out.key.endsWith('/') ? out.key : `${out.key}/`;
    const references = referencesOption(args.values.references, out.bucket);
    const options = renderOptionsFromArgs(args);
    const log = jsonLineLogger(io.stderr, args.values.verbose === true);
    const metrics = startJobMetrics();
    const client = createS3Client(s3ConnectionFromEnv(io.env), { metrics: metrics.s3 });
    let metricsLogged = false;
    const logMetrics = async (): Promise<void> => {
      if (metricsLogged) return;
      metricsLogged = true;
      log.info({ ...(await metrics.summary()) }, 'Process metrics');
    };
    try {
      const bytes = await readObject(client, source.bucket, source.key);
      const sourceUri = `s3://${source.bucket}/${source.key}`;
      log.info({ source: sourceUri, bytes: bytes.byteLength }, 'Downloaded model');
      const sink = s3Sink(client, out.bucket, prefix);
      let fidelityUri: string | undefined;
      // The photos are scored while the scene is still uploaded, so each best angle can be refined.
      const afterRender = async (views: TurntableViews) => {
        if (references === undefined) return;
        fidelityUri = await writeReferenceFidelity({
          client,
          bucket: out.bucket,
          rendersPrefix: prefix,
          referencesPrefix: references,
          sink,
          log,
          views,
        });
      };
      const manifest = await renderTurntable({ bytes, uri: sourceUri }, sink, {
        ...options,
        log,
        afterRender,
      });
      io.stdout(`${summarizeManifest(manifest, `s3://${out.bucket}/${prefix}`)}\n`);
      if (fidelityUri !== undefined) io.stdout(`reference fidelity: ${fidelityUri}\n`);
      return 0;
    } catch (error) {
      // What the operator shows as the RenderJob's failure: the pod's termination message.
      await writeTerminationMessage(io.env, terminationMessage(error));
      if (error instanceof RenderError) {
        log.error({ code: error.code }, error.message);
        // The reason stays the last stderr line.
        await logMetrics();
        io.stderr(`shazam render-job: ${error.message} (${error.code})\n`);
        return error.exitCode;
      }
      throw error;
    } finally {
      await logMetrics();
      metrics.stop();
      client.destroy();
    }
  },
};

function s3Option(value: string, name: string) {
  try {
    return parseS3Uri(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

/** The `--references` prefix (ending with `/`), which must be in the output's bucket. */
function referencesOption(value: unknown, bucket: string): string | undefined {
  if (value === undefined) return undefined;
  const uri = s3Option(String(value), 'references');
  if (uri.bucket !== bucket) {
    throw new UsageError(
      `--references: the photos must be in the output's bucket ${bucket}, not ${uri.bucket}`,
    );
  }
  return uri.key === '' || uri.key.endsWith('/') ? uri.key : `${uri.key}/`;
}

async function readObject(client: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const uri = `s3://${bucket}/${key}`;
  try {
    return await getBytes(client, { bucket, key });
  } catch (error) {
    if (!isStorageError(error)) throw error;
    switch (error.code) {
      case 'STORAGE_NOT_FOUND':
      case 'STORAGE_NO_SUCH_BUCKET':
        throw new RenderError(
          'SHAZAM_RENDER_SOURCE_NOT_FOUND',
          `the GLB ${uri} does not exist (${error.code === 'STORAGE_NOT_FOUND' ? 'NoSuchKey' : 'NoSuchBucket'}); ` +
            "check the RenderJob's spec.source.uri",
          { cause: error },
        );
      case 'STORAGE_ACCESS_DENIED':
      case 'STORAGE_NO_CREDENTIALS':
        throw new RenderError(
          'SHAZAM_RENDER_SOURCE_DENIED',
          `S3 refused to read the GLB ${uri} (${error.code}): ${error.message}; check the render Job's ` +
            'ServiceAccount role and the bucket policy',
          { cause: error },
        );
      default:
        throw new RenderError(
          'SHAZAM_RENDER_STORAGE_UNAVAILABLE',
          `cannot read the GLB ${uri} (${error.code}): ${error.message}; check the S3 endpoint and network, ` +
            'the Job retries',
          { cause: error },
        );
    }
  }
}
