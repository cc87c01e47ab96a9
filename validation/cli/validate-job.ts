import { parseArgs } from 'node:util';
import type { CliCommand, CliIO } from '../../lib/cli/command.ts';
import { UsageError } from '../../lib/cli/command.ts';
import { terminationMessage, writeTerminationMessage } from '../../lib/cli/termination-message.ts';
import { STAGES, type Stage } from '../../lib/contracts/validation-result.ts';
import { createS3Client, s3ConnectionFromEnv } from '../../lib/storage/s3-client.ts';
import { parseS3Uri, type S3Location } from '../../lib/storage/s3-uri.ts';
import { loadPolicy, PolicyError } from '../policy/load-policy.ts';
import { runValidationJob } from '../run-validation-job.ts';

const USAGE = `usage: shazam validate-job --delivery s3://<incoming>/incoming/<ASIN>/r<rev>.zip --sha256 <hex>
  --asin <ASIN> --revision <n> --stages cleanup,uv,texturing
  --assets-bucket <bucket> --result s3://<bucket>/assets/<ASIN>/validation/r<rev>-<sha16>.json
  [--policy <file.yaml>]

Runs inside the validation Job: downloads the delivery, checks it, ingests it into
assets/<ASIN>/versions/<rev>/ when it passes (full report: versions/<rev>/validation.json),
stores the full report at assets/<ASIN>/validation/r<rev>-<sha16>.report.json when it fails,
and writes the compact result to --result last.
S3 comes from the environment (AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID, ...).
On an infrastructure failure the reason (CODE: message) is also written to the container's
termination message file, $SHAZAM_TERMINATION_MESSAGE_PATH (default /dev/termination-log).
Exit 0: a verdict was reached and written (Passed or Failed); 1: infrastructure failure (retry); 2: usage.`;

/** The arguments of `shazam validate-job`, checked. */
export interface ValidateJobArgs {
  delivery: S3Location;
  sha256: string;
  asin: string;
  revision: number;
  stages: Stage[];
  assetsBucket: string;
  result: S3Location;
  policy?: string;
}

/** Parses and checks the arguments; throws UsageError naming the bad argument and the expected form. */
export function parseValidateJobArgs(argv: string[]): ValidateJobArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        delivery: { type: 'string' },
        sha256: { type: 'string' },
        asin: { type: 'string' },
        revision: { type: 'string' },
        stages: { type: 'string' },
        'assets-bucket': { type: 'string' },
        result: { type: 'string' },
        policy: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const required = ['delivery', 'sha256', 'asin', 'revision', 'stages', 'assets-bucket', 'result'];
  const missing = required.filter((name) => !values[name]);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((name) => `--${name}`).join(', ')}`);
  const asin = values.asin!;
  if (!/^[A-Z0-9]{10}$/.test(asin)) throw new UsageError(`--asin "${asin}" is not 10 characters A-Z 0-9`);
  const revisionText = values.revision!;
  if (!/^[1-9][0-9]{0,8}$/.test(revisionText)) {
    throw new UsageError(`--revision "${revisionText}" is not an integer ≥ 1`);
  }
  const sha256 = values.sha256!;
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new UsageError('--sha256 must be 64 lowercase hex characters');
  const stages = values.stages!.split(',').map((stage) => stage.trim());
  const unknown = stages.filter((stage) => !(STAGES as readonly string[]).includes(stage));
  if (unknown.length > 0) {
    throw new UsageError(`--stages: unknown stage(s) ${unknown.join(', ')}; use ${STAGES.join(', ')}`);
  }
  const assetsBucket = values['assets-bucket']!;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(assetsBucket)) {
    throw new UsageError(`--assets-bucket "${assetsBucket}" is not an S3 bucket name`);
  }
  const args: ValidateJobArgs = {
    delivery: s3Arg('--delivery', values.delivery!),
    sha256,
    asin,
    revision: Number(revisionText),
    stages: [...new Set(stages)] as Stage[],
    assetsBucket,
    result: s3Arg('--result', values.result!),
  };
  if (values.policy) args.policy = values.policy;
  return args;
}

function s3Arg(flag: string, value: string): S3Location {
  try {
    return parseS3Uri(value);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}

/** `shazam validate-job`: the entry point of the validation Job. */
export const command: CliCommand = {
  summary: 'validate and ingest one delivery from S3 (run by the validation Job)',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseValidateJobArgs(argv);
    let policy: Awaited<ReturnType<typeof loadPolicy>>;
    try {
      policy = await loadPolicy(args.policy);
    } catch (error) {
      if (error instanceof PolicyError) throw new UsageError(error.message);
      throw error;
    }
    const s3 = createS3Client(s3ConnectionFromEnv(io.env));
    const log = (level: string, msg: string, fields: Record<string, unknown>) =>
      io.stderr(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`);
    const started = Date.now();
    try {
      const outcome = await runValidationJob({ s3, ...args, policy });
      log('info', 'Validated delivery', {
        asin: args.asin,
        revision: args.revision,
        verdict: outcome.result.verdict,
        errors: outcome.result.errors,
        warnings: outcome.result.warnings,
        ingested: outcome.ingested,
        version: outcome.result.version?.prefix,
        webModelSavedBytes: outcome.result.version
          ? outcome.result.version.modelBytes - outcome.result.version.webModelBytes
          : undefined,
        gltfValidator: outcome.result.tools.gltfValidator,
        ...(outcome.repairNote ? { repair: outcome.repairNote } : {}),
        durationMs: Date.now() - started,
      });
      io.stdout(`${outcome.result.summary}\n`);
      if (outcome.result.repair) {
        io.stdout(
          `The delivery failed (${outcome.result.repair.source.codes.join(', ')}); its repaired candidate passed: ` +
            `${outcome.result.repair.changes.map((change) => change.summary).join(' ')}\n`,
        );
      }
      return 0;
    } catch (error) {
      log('error', 'Validation Job failed', {
        asin: args.asin,
        revision: args.revision,
        error: error instanceof Error ? error.message : String(error),
        code: (error as { code?: string; name?: string }).code ?? (error as { name?: string }).name,
      });
      await writeTerminationMessage(io.env, terminationMessage(error));
      return 1;
    } finally {
      s3.destroy();
    }
  },
};
