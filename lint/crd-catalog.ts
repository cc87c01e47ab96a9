import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { LintError } from './errors.ts';
import type { KubeSchema } from './kube-schema.ts';

/** One served version of one custom resource kind, as the linter checks it. */
export interface CrdVersion {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  schema: KubeSchema;
}

/** The kinds the linter knows, keyed by `group/kind`. */
export interface CrdCatalog {
  /** Every group with at least one kind; documents of other groups are not SHAZAM objects. */
  groups: ReadonlySet<string>;
  /** Served versions of `group/kind`. */
  versionsOf(group: string, kind: string): readonly CrdVersion[];
}

/** The repository's own CRDs. */
export const DEFAULT_CRD_DIR = fileURLToPath(new URL('../crds/', import.meta.url));

interface CrdDocument {
  kind?: unknown;
  spec?: {
    group?: string;
    scope?: string;
    names?: { kind?: string; plural?: string };
    versions?: Array<{ name?: string; served?: boolean; schema?: { openAPIV3Schema?: KubeSchema } }>;
  };
}

/** Builds a catalog from parsed CustomResourceDefinition objects (other documents are ignored). */
export function catalogFromCrds(documents: unknown[], origin = 'CRD'): CrdCatalog {
  const byKind = new Map<string, CrdVersion[]>();
  const groups = new Set<string>();
  for (const doc of documents) {
    const crd = doc as CrdDocument | null;
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const { group, names, versions, scope } = crd.spec ?? {};
    if (!group || !names?.kind || !names.plural || !versions) {
      throw new LintError(
        'LINT_BAD_CRD',
        `${origin}: a CustomResourceDefinition needs spec.group, spec.names and spec.versions`,
      );
    }
    groups.add(group);
    const served: CrdVersion[] = [];
    for (const v of versions) {
      if (!v.served || !v.name) continue;
      const schema = v.schema?.openAPIV3Schema;
      if (!schema)
        throw new LintError('LINT_BAD_CRD', `${origin}: ${names.kind} ${v.name} has no openAPIV3Schema`);
      served.push({
        group,
        version: v.name,
        kind: names.kind,
        plural: names.plural,
        namespaced: scope !== 'Cluster',
        schema,
      });
    }
    byKind.set(`${group}/${names.kind}`, served);
  }
  return {
    groups,
    versionsOf: (group, kind) => byKind.get(`${group}/${kind}`) ?? [],
  };
}

/** Reads every `*.yaml` CRD in `dir` (by default the repository's `crds/`). */
export function loadCrdCatalog(dir: string = DEFAULT_CRD_DIR): CrdCatalog {
  const documents: unknown[] = [];
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
  } catch (error) {
    throw new LintError(
      'LINT_UNREADABLE',
      `${dir}: cannot read the CRD directory (${(error as Error).message})`,
    );
  }
  if (files.length === 0) throw new LintError('LINT_BAD_CRD', `${dir}: no CRD *.yaml files there`);
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) {
        throw new LintError(
          'LINT_BAD_CRD',
          `${join(dir, file)}: ${doc.errors[0]?.message ?? 'invalid YAML'}`,
        );
      }
      documents.push(doc.toJS());
    }
  }
  return catalogFromCrds(documents, dir);
}
