import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { CliCommand, CliIO } from '../../lib/cli/command.ts';
import { UsageError } from '../../lib/cli/command.ts';
import { STAGES, type Stage } from '../../lib/contracts/validation-result.ts';
import { readZipEntry } from '../archive/read-zip-entry.ts';
import { flowDepthExceeded, MANIFEST_MAX_DEPTH } from '../checks/check-structure.ts';
import { loadPolicy, PolicyError } from '../policy/load-policy.ts';
import { renderText } from '../report/render-text.ts';
import { validateDeliveryIsolated } from '../validate-isolated.ts';

const USAGE = `usage: shazam validate <delivery.zip | delivery-folder> [options]

Checks a delivery the way the validation Job will, on your machine, and says what to fix.
ASIN, revision and stages come from the delivery's manifest.yaml (in the folder or inside the ZIP)
unless given; a ZIP named <ASIN>-r<rev>.zip fills in what its manifest leaves out.

options:
  --asin <ASIN>          the product's ASIN (10 characters A-Z 0-9)
  --revision <n>         the revision (≥ 1)
  --stages <list>        stages done, comma-separated (default: all of cleanup,uv,texturing)
  --policy <file.yaml>   policy overrides (see docs/validation.md)
  --json                 print the full report (validation.json) instead of the summary
  --verbose              also list informational findings

Exit 0 when the delivery passes, 3 when it fails, 2 on usage errors.`;

/** Exit code of `shazam validate` for a delivery that fails validation. */
export const EXIT_FAILED = 3;

/** `shazam validate`: the validation Job's checks, run locally on a ZIP or a folder. */
export const command: CliCommand = {
  summary: 'check a delivery ZIP or folder locally (the same checks as the validation Job)',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    let parsed: ReturnType<typeof parseCli>;
    try {
      parsed = parseCli(argv);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError('name exactly one delivery ZIP or folder');
    const target = resolve(io.cwd, positionals[0]!);
    const info = await stat(target).catch(() => undefined);
    if (!info) throw new UsageError(`${positionals[0]} does not exist`);
    let policy: Awaited<ReturnType<typeof loadPolicy>>;
    try {
      policy = await loadPolicy(values.policy ? resolve(io.cwd, values.policy) : undefined);
    } catch (error) {
      if (error instanceof PolicyError) throw new UsageError(error.message);
      throw error;
    }
    const scratchDir = await mkdtemp(join(tmpdir(), 'shazam-validate-'));
    try {
      const identity = await identify(target, info.isDirectory(), values);
      const sha256 = info.isDirectory() ? undefined : await sha256File(target);
      const { report } = await validateDeliveryIsolated({
        source: info.isDirectory() ? { dir: target } : { zip: target },
        ...identity,
        policy,
        scratchDir,
        ...(sha256 ? { sha256 } : {}),
      });
      if (values.json) {
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        io.stdout(renderText(report, { verbose: values.verbose === true }));
      }
      return report.verdict === 'Passed' ? 0 : EXIT_FAILED;
    } finally {
      await rm(scratchDir, { recursive: true, force: true });
    }
  },
};

function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      asin: { type: 'string' },
      revision: { type: 'string' },
      stages: { type: 'string' },
      policy: { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
    },
  });
}

interface Identity {
  asin: string;
  revision: number;
  stages: Stage[];
}

/**
 * ASIN, revision and stages from the flags, else from manifest.yaml (read from the folder, or named by the
 * ZIP's file name `<ASIN>-r<rev>.zip` / `r<rev>.zip` under an `<ASIN>/` folder as `shazam pack` and the
 * upload layout write them).
 */
async function identify(
  target: string,
  isFolder: boolean,
  values: { asin?: string; revision?: string; stages?: string },
): Promise<Identity> {
  let manifest: { asin?: unknown; revision?: unknown; stages?: unknown } = {};
  if (isFolder) {
    const text = await readFile(join(target, 'manifest.yaml'), 'utf8').catch(() => undefined);
    if (text !== undefined) manifest = parseManifest(text);
  } else {
    const text = (await readZipEntry(target, 'manifest.yaml', MANIFEST_MAX_BYTES))?.toString('utf8');
    if (text !== undefined) manifest = parseManifest(text);
    const match = /(?:^|[/\\])([A-Z0-9]{10})(?:-|[/\\])r([1-9][0-9]*)\.zip$/.exec(target);
    // The ZIP's name fills in what its manifest does not say.
    if (match) manifest = { asin: match[1], revision: Number(match[2]), ...manifest };
  }
  const asin = values.asin ?? (typeof manifest.asin === 'string' ? manifest.asin : undefined);
  if (!asin || !/^[A-Z0-9]{10}$/.test(asin)) {
    throw new UsageError(
      asin
        ? `ASIN "${asin}" is not 10 characters A-Z 0-9`
        : 'give --asin (no manifest.yaml or ZIP name says it)',
    );
  }
  const revisionValue = values.revision ?? manifest.revision;
  const revision = Number(revisionValue);
  if (!Number.isInteger(revision) || revision < 1) {
    throw new UsageError(
      revisionValue === undefined
        ? 'give --revision (no manifest.yaml says it)'
        : `revision "${revisionValue}" is not ≥ 1`,
    );
  }
  let stages: Stage[] = [...STAGES];
  if (values.stages !== undefined) {
    const list = values.stages.split(',').map((stage) => stage.trim());
    const unknown = list.filter((stage) => !(STAGES as readonly string[]).includes(stage));
    if (unknown.length > 0)
      throw new UsageError(`unknown stage(s) ${unknown.join(', ')}; use ${STAGES.join(', ')}`);
    stages = list as Stage[];
  } else if (Array.isArray(manifest.stages)) {
    stages = manifest.stages.filter((stage): stage is Stage =>
      (STAGES as readonly unknown[]).includes(stage),
    );
  }
  return { asin, revision, stages };
}

const MANIFEST_MAX_BYTES = 64 * 1024;

/** The fields of a manifest that identify a delivery; {} when it does not parse (validation says why). */
function parseManifest(text: string): { asin?: unknown; revision?: unknown; stages?: unknown } {
  if (flowDepthExceeded(text, MANIFEST_MAX_DEPTH)) return {};
  try {
    const value: unknown = parseYaml(text, { maxAliasCount: 10 });
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    const { asin, revision, stages } = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries({ asin, revision, stages }).filter(([, field]) => field !== undefined),
    );
  } catch {
    return {};
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
