import { ASSET_SUBMISSION_PHASES } from '../../crds/api.ts';
import {
  flagOption,
  parseCommandArgs,
  parseDuration,
  positiveIntegerOption,
  stringOption,
} from '../../lib/cli/args.ts';
import type { CliCommand, CliIO } from '../../lib/cli/command.ts';
import { UsageError } from '../../lib/cli/command.ts';
import { formatElapsed, ProgressReporter, progressSink } from '../../lib/cli/progress.ts';
import { renderTable } from '../../lib/cli/table.ts';
import { getResource, listResources } from '../../lib/shazam-client/resources.ts';
import { waitForPhase } from '../../lib/shazam-client/wait-for-phase.ts';
import {
  KUBE_OPTIONS,
  KUBE_OPTIONS_USAGE,
  type KubeTarget,
  kubeTargetFromArgs,
} from '../lib/kube-options.ts';
import { reportError } from '../lib/report-error.ts';
import { submissionHeader, submissionRow } from '../lib/submission-view.ts';

const usage = `usage: shazam status [<submission>] [options]

Shows AssetSubmissions as a table with their phase, validation verdict and QA state.

options:
${KUBE_OPTIONS_USAGE}
  -A, --all-namespaces   list every namespace
  -o, --output json      print the objects as JSON instead of a table
  --wait-for <phase>     with a submission: wait until it reaches this phase (e.g. Published), showing
                         each phase as it passes; exit 1 if it settles elsewhere (e.g. Rejected)
  --revision <n>         with --wait-for: only a status of this revision counts
  --timeout <duration>   with --wait-for: give up after this long (default 10m)`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(argv, {
    ...KUBE_OPTIONS,
    'all-namespaces': { type: 'boolean', short: 'A' },
    output: { type: 'string', short: 'o' },
    'wait-for': { type: 'string' },
    revision: { type: 'string' },
    timeout: { type: 'string' },
  });
  const [name, ...extra] = args.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const output = stringOption(args, 'output');
  if (output !== undefined && output !== 'json')
    throw new UsageError(`--output must be json, got "${output}"`);
  const waitFor = stringOption(args, 'wait-for');
  if (waitFor !== undefined && name === undefined) throw new UsageError('--wait-for needs a submission name');
  if (waitFor !== undefined && !(ASSET_SUBMISSION_PHASES as readonly string[]).includes(waitFor)) {
    throw new UsageError(
      `--wait-for ${waitFor} is not a phase; use one of ${ASSET_SUBMISSION_PHASES.join(', ')}`,
    );
  }
  const allNamespaces = flagOption(args, 'all-namespaces');
  let target: KubeTarget | undefined;
  try {
    target = kubeTargetFromArgs(args, io);
    if (waitFor !== undefined && name !== undefined) {
      const revision = positiveIntegerOption(args, 'revision');
      const progress = new ProgressReporter(progressSink(io), `${name}:`);
      const submission = await waitForPhase({
        client: target.client,
        namespace: target.namespace,
        name,
        phase: waitFor,
        ...(revision !== undefined ? { revision } : {}),
        timeoutMs: parseDuration(stringOption(args, 'timeout') ?? '10m', 'timeout'),
        onPhase: (phase, current) => {
          progress.done();
          io.stdout(
            `${new Date().toISOString()}  ${name}  ${phase}${current.status?.message ? `  ${current.status.message}` : ''}\n`,
          );
        },
        onTick: (phase, elapsed) => progress.update(`${phase} (${formatElapsed(elapsed)})`),
      });
      progress.done();
      if (output === 'json') io.stdout(`${JSON.stringify(submission, null, 2)}\n`);
      return 0;
    }
    const submissions =
      name === undefined
        ? await listResources(target.client, 'AssetSubmission', allNamespaces ? undefined : target.namespace)
        : [await getResource(target.client, 'AssetSubmission', target.namespace, name)];
    if (output === 'json') {
      io.stdout(`${JSON.stringify(name === undefined ? submissions : submissions[0], null, 2)}\n`);
      return 0;
    }
    if (submissions.length === 0) {
      io.stderr(
        `No AssetSubmissions in ${allNamespaces ? 'any namespace' : `namespace ${target.namespace}`}.\n`,
      );
      return 0;
    }
    const now = new Date();
    const sorted = [...submissions].sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace}/${b.metadata.name}`,
      ),
    );
    io.stdout(
      renderTable(
        submissionHeader(allNamespaces),
        sorted.map((s) => submissionRow(s, now, allNamespaces)),
      ),
    );
    return 0;
  } catch (error) {
    return reportError(io, 'status', error);
  } finally {
    target?.client.close();
  }
}

/** `shazam status`: the submissions and their phases. */
export const command: CliCommand = {
  summary: 'show AssetSubmissions and their phases (optionally wait for one to reach a phase)',
  usage,
  run,
};
