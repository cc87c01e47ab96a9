import { QA_FINDING_AREAS, type QAFinding, type QAFindingArea } from '../../crds/api.ts';
import { flagOption, type ParsedArgs, parseCommandArgs, stringOption } from '../../lib/cli/args.ts';
import type { CliCommand, CliIO } from '../../lib/cli/command.ts';
import { UsageError } from '../../lib/cli/command.ts';
import { formatAge, renderTable } from '../../lib/cli/table.ts';
import { decideReview, type QADecision } from '../../lib/shazam-client/qa-decision.ts';
import { listResources } from '../../lib/shazam-client/resources.ts';
import { kubeconfigUserName, whoAmI } from '../../lib/shazam-client/who-am-i.ts';
import {
  KUBE_OPTIONS,
  KUBE_OPTIONS_USAGE,
  type KubeTarget,
  kubeTargetFromArgs,
} from '../lib/kube-options.ts';
import { reportError } from '../lib/report-error.ts';

const usage = `usage: shazam qa list [options]
       shazam qa approve <review|submission> [--comments <text>] [options]
       shazam qa reject <review|submission> --comments <text> [--finding <area>:<message>]... [options]

Records a QA decision on a QAReview with your own Kubernetes credentials (RBAC decides who may decide).
A decision is final; a rejected revision is fixed by submitting the next revision. Either the QAReview's
name or its AssetSubmission's name may be given. An orphaned review (its submission is gone or has moved
on to another revision) cannot be decided: the command says why and exits 1.

options:
${KUBE_OPTIONS_USAGE}
  --reviewer <name>     who decides (default: your user name as the apiserver sees it)
  --comments <text>     what you saw; required to reject
  --finding <a>:<msg>   a finding for the artist, e.g. "texturing:seam on the left armrest" (repeatable);
                        areas: ${QA_FINDING_AREAS.join(', ')}
  --all                 with list: show decided and orphaned reviews too`;

function isFindingArea(area: string): area is QAFindingArea {
  return (QA_FINDING_AREAS as readonly string[]).includes(area);
}

function parseFindings(values: ParsedArgs['values']['finding']): QAFinding[] {
  if (!Array.isArray(values)) return [];
  return values.map((value) => {
    const at = value.indexOf(':');
    if (at <= 0 || at === value.length - 1) {
      throw new UsageError(
        `--finding must be <area>:<message>, e.g. "uv:stretched UVs on the seat", got "${value}"`,
      );
    }
    const area = value.slice(0, at).trim();
    if (!isFindingArea(area)) {
      throw new UsageError(`--finding area "${area}" is not one of ${QA_FINDING_AREAS.join(', ')}`);
    }
    return { area, message: value.slice(at + 1).trim() };
  });
}

async function list(args: ParsedArgs, io: CliIO, target: KubeTarget): Promise<number> {
  const reviews = await listResources(target.client, 'QAReview', target.namespace);
  const shown = flagOption(args, 'all')
    ? reviews
    : reviews.filter((r) => (r.spec.decision ?? 'Pending') === 'Pending' && r.status?.phase !== 'Orphaned');
  if (shown.length === 0) {
    io.stderr(
      `No ${flagOption(args, 'all') ? '' : 'pending '}QA reviews in namespace ${target.namespace}.\n`,
    );
    return 0;
  }
  const now = new Date();
  const rows = shown.map((review) => [
    review.metadata.name,
    review.spec.submissionRef.name,
    review.status?.submission?.asin ?? '-',
    review.status?.submission?.revision === undefined ? '-' : String(review.status.submission.revision),
    review.spec.decision ?? 'Pending',
    review.status?.phase ?? '-',
    review.spec.reviewer ?? '',
    formatAge(review.metadata.creationTimestamp, now),
  ]);
  io.stdout(renderTable(['NAME', 'SUBMISSION', 'ASIN', 'REV', 'DECISION', 'PHASE', 'REVIEWER', 'AGE'], rows));
  return 0;
}

async function decide(
  verb: 'approve' | 'reject',
  args: ParsedArgs,
  io: CliIO,
  target: KubeTarget,
): Promise<number> {
  const [, name, ...extra] = args.positionals;
  if (name === undefined) throw new UsageError(`name the QAReview (or its submission) to ${verb}`);
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const comments = stringOption(args, 'comments');
  if (verb === 'reject' && !comments?.trim()) {
    throw new UsageError('reject needs --comments that tell the artist what to fix');
  }
  const findings = parseFindings(args.values.finding);
  const reviewer =
    stringOption(args, 'reviewer') ??
    (await whoAmI(target.client)) ??
    kubeconfigUserName(target.client) ??
    io.env.USER ??
    '';
  const decision: QADecision = {
    decision: verb === 'approve' ? 'Approved' : 'Rejected',
    reviewer,
    ...(comments !== undefined ? { comments } : {}),
    ...(findings.length > 0 ? { findings } : {}),
  };
  const review = await decideReview(target.client, target.namespace, name, decision);
  io.stdout(
    `QAReview ${target.namespace}/${review.metadata.name} ${decision.decision} by ${reviewer}` +
      ` (submission ${review.spec.submissionRef.name}).\n`,
  );
  return 0;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(argv, {
    ...KUBE_OPTIONS,
    reviewer: { type: 'string' },
    comments: { type: 'string' },
    finding: { type: 'string', multiple: true },
    all: { type: 'boolean' },
  });
  const verb = args.positionals[0];
  if (verb === 'list' || verb === 'approve' || verb === 'reject') {
    let target: KubeTarget | undefined;
    try {
      target = kubeTargetFromArgs(args, io);
      return verb === 'list' ? await list(args, io, target) : await decide(verb, args, io, target);
    } catch (error) {
      return reportError(io, 'qa', error);
    } finally {
      target?.client.close();
    }
  }
  throw new UsageError(
    verb === undefined ? 'name a subcommand: list, approve or reject' : `unknown subcommand "${verb}"`,
  );
}

/** `shazam qa`: list QA reviews and approve or reject them with the caller's credentials. */
export const command: CliCommand = {
  summary: 'list QA reviews; approve or reject one with your own Kubernetes credentials',
  usage,
  run,
};
