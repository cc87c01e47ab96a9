import { isAbsolute, relative, resolve } from 'node:path';
import { type CliCommand, UsageError } from '../../lib/cli/command.ts';
import { loadCrdCatalog } from '../../lint/crd-catalog.ts';
import { LintError } from '../../lint/errors.ts';
import { formatFinding, lintFiles } from '../../lint/lint-files.ts';

const USAGE = `usage: shazam lint [--quiet] [--crds <dir>] <file|dir>...

Checks SHAZAM manifests (AssetSubmission, QAReview, RenderJob) offline, the way the apiserver would:
the CRD's OpenAPI schema with its defaults, its CEL rules, list uniqueness, and unknown fields (which the
apiserver rejects or drops). Directories are searched for *.yaml and *.yml (not *.patch.yaml); documents
of other kinds are skipped. Transition rules (immutable ASIN, final QA decision) need the stored object
and are left to the apiserver.

Prints one line per problem, file:line: Kind/name: field: message, and exits 1 if there is any.

options:
  --quiet        print errors only (no notes, no summary)
  --crds <dir>   check against the CRDs in <dir> instead of the built-in ones

exit codes: 0 no errors, 1 errors found, 2 usage error or unreadable input`;

interface LintArgs {
  quiet: boolean;
  crds?: string;
  paths: string[];
}

function parseArgs(argv: string[]): LintArgs {
  const args: LintArgs = { quiet: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quiet' || arg === '-q') args.quiet = true;
    else if (arg === '--crds') {
      const dir = argv[++i];
      if (!dir) throw new UsageError('--crds needs a directory');
      args.crds = dir;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else args.paths.push(arg);
  }
  if (args.paths.length === 0) throw new UsageError('name at least one manifest file or directory');
  return args;
}

/** `shazam lint`: offline validation of SHAZAM manifests for CI and pre-commit hooks. */
export const command: CliCommand = {
  summary:
    'check AssetSubmission, QAReview and RenderJob manifests offline (schema, CEL rules, unknown fields)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv);
    const absolute = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));
    const shown = (p: string) => {
      const rel = relative(io.cwd, p);
      return rel && !rel.startsWith('..') ? rel : p;
    };
    let report: Awaited<ReturnType<typeof lintFiles>>;
    try {
      const catalog = args.crds ? loadCrdCatalog(absolute(args.crds)) : undefined;
      report = await lintFiles(args.paths.map(absolute), catalog ? { catalog } : {});
    } catch (error) {
      if (error instanceof LintError) {
        io.stderr(`shazam lint: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
    const errors = report.findings.filter((f) => f.severity === 'error');
    const lines = report.findings
      .filter((f) => f.severity === 'error' || !args.quiet)
      .map((f) => formatFinding({ ...f, file: shown(f.file) }));
    if (lines.length > 0) io.stdout(`${lines.join('\n')}\n`);
    if (!args.quiet) {
      io.stderr(
        `${report.files} file(s), ${report.checked} SHAZAM object(s) checked, ${report.skipped} other document(s) skipped: ${errors.length} error(s)\n`,
      );
    }
    return errors.length > 0 ? 1 : 0;
  },
};
