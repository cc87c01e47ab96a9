import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type CrdCatalog, loadCrdCatalog } from './crd-catalog.ts';
import { LintError } from './errors.ts';
import { ObjectLinter } from './lint-object.ts';
import { parseManifestFile, type SourceDocument } from './yaml-source.ts';

/** One line of lint output. */
export interface Finding {
  file: string;
  /** 1-based. */
  line: number;
  severity: 'error' | 'note';
  /** `kind` of the object, `?` when unknown. */
  kind: string;
  /** `metadata.name` of the object, `?` when unknown. */
  name: string;
  /** The field path (`spec.delivery.uri`); empty for the whole document. */
  field: string;
  message: string;
}

/** Everything one lint run found. */
export interface LintReport {
  files: number;
  /** Objects checked against a SHAZAM CRD. */
  checked: number;
  /** Documents of other kinds, skipped. */
  skipped: number;
  findings: Finding[];
}

/** Options of {@link lintFiles}. */
export interface LintOptions {
  /** The kinds to check against; the repository's `crds/` when unset. */
  catalog?: CrdCatalog;
}

/** Merge-patch files (`kubectl patch --patch-file`) are partial objects, so a directory walk leaves them out. */
const PATCH_FILE = /\.patch\.ya?ml$/;
const MANIFEST_FILE = /\.ya?ml$/;

const YAML11_BOOLEANS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

/** Formats a finding as `file:line: kind/name: field: message` (notes say `note:` in place of a field). */
export function formatFinding(finding: Finding): string {
  const where = `${finding.file}:${finding.line}: ${finding.kind}/${finding.name}`;
  if (finding.severity === 'note') return `${where}: note: ${finding.message}`;
  return finding.field ? `${where}: ${finding.field}: ${finding.message}` : `${where}: ${finding.message}`;
}

async function collect(path: string, explicit: boolean, out: string[]): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new LintError('LINT_UNREADABLE', `${path}: no such file or directory`);
  }
  if (info.isDirectory()) {
    const entries = (await readdir(path)).sort();
    for (const entry of entries) {
      if (entry.startsWith('.') || entry === 'node_modules') continue;
      await collect(join(path, entry), false, out);
    }
  } else if (explicit || (MANIFEST_FILE.test(path) && !PATCH_FILE.test(path))) {
    out.push(path);
  }
}

/** Expands files and directories into the manifest files to lint, sorted within each directory. */
export async function manifestFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) await collect(path, true, files);
  return [...new Set(files)];
}

function hintFor(doc: SourceDocument, field: string, message: string): string {
  if (!message.includes('"boolean": must be of type string')) return message;
  const source = doc.plainScalarAt(field);
  if (source === undefined || !YAML11_BOOLEANS.test(source)) return message;
  return `${message} (YAML reads an unquoted ${source} as a boolean: write "${source}")`;
}

/** The objects of one document: the document itself, or the items of a `v1` `List` (as kubectl reads it). */
function objectsIn(value: unknown): Array<{ value: unknown; prefix: string }> {
  const list = value as { apiVersion?: unknown; kind?: unknown; items?: unknown } | null;
  if (list?.apiVersion === 'v1' && list.kind === 'List' && Array.isArray(list.items)) {
    return list.items.map((item, i) => ({ value: item, prefix: `items[${i}]` }));
  }
  return [{ value, prefix: '' }];
}

/** Lints the text of one file (multi-document YAML) and returns its findings and counts. */
export function lintText(
  text: string,
  file: string,
  linter: ObjectLinter,
): { findings: Finding[]; checked: number; skipped: number } {
  const { documents, syntax } = parseManifestFile(text);
  const findings: Finding[] = syntax.map((s) => ({
    file,
    line: s.line,
    severity: 'error',
    kind: '?',
    name: '?',
    field: '',
    message: `YAML syntax error: ${s.message}`,
  }));
  let checked = 0;
  let skipped = 0;
  for (const doc of documents) {
    for (const { value, prefix } of objectsIn(doc.value)) {
      const verdict = linter.lint(value);
      if (verdict.outcome === 'skipped') skipped++;
      else checked++;
      for (const v of verdict.violations) {
        const at = prefix && v.field ? `${prefix}.${v.field}` : prefix || v.field;
        findings.push({
          file,
          line: doc.lineOf(at),
          severity: 'error',
          kind: verdict.kind,
          name: verdict.name,
          field: v.field,
          message: hintFor(doc, at, v.message),
        });
      }
      for (const note of verdict.notes) {
        findings.push({
          file,
          line: doc.lineOf(prefix),
          severity: 'note',
          kind: verdict.kind,
          name: verdict.name,
          field: '',
          message: note,
        });
      }
    }
  }
  return { findings, checked, skipped };
}

/**
 * Lints manifest files and directories (recursively: `*.yaml` and `*.yml`, not `*.patch.yaml`) against the
 * SHAZAM CRDs, offline.
 *
 * @example
 * const report = await lintFiles(['gitops/submissions/']);
 * const failed = report.findings.some((f) => f.severity === 'error');
 */
export async function lintFiles(paths: string[], options: LintOptions = {}): Promise<LintReport> {
  const linter = new ObjectLinter(options.catalog ?? loadCrdCatalog());
  const report: LintReport = { files: 0, checked: 0, skipped: 0, findings: [] };
  for (const file of await manifestFiles(paths)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new LintError('LINT_UNREADABLE', `${file}: ${(error as Error).message}`);
    }
    const result = lintText(text, file, linter);
    report.files++;
    report.checked += result.checked;
    report.skipped += result.skipped;
    report.findings.push(...result.findings);
  }
  return report;
}
