import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// docs/architecture.md, "Folders and dependency direction": the rules below are the ones it states. Each
// reads the imports of every .ts file in the repository (static, `export … from`, and dynamic `import()`).

const repo = fileURLToPath(new URL('..', import.meta.url));

/** Folders that are never read: installed packages, build output, scratch space. */
const SKIPPED = new Set(['node_modules', 'dist', 'tmp', 'coverage', '.git', '.cache', '.vitest']);

/** Folders whose code ships in the production images (the `shazam` binary and its libraries). */
const PRODUCTION = [
  'cli',
  'crds',
  'lib',
  'controllers',
  'operator',
  'render-job',
  'validation',
  'search-api',
];

/** Folders of application code, which `pulumi/` must not import. */
const APPLICATION = [...PRODUCTION, 'demo'];

/** One import of one file, as a repository path. */
interface ImportEdge {
  /** The importing file, relative to the repository with `/` separators. */
  from: string;
  /** The imported file, relative to the repository, or the package name for a bare specifier. */
  to: string;
}

/**
 * The module specifiers a TypeScript source imports: `import … from`, `import '…'`, `export … from` and
 * `import('…')` with a string literal. Comments are stripped first so that an example in TSDoc is not
 * counted.
 */
function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[\w*{}\s,$]*?\s*from\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) if (match[1]) found.push(match[1]);
  }
  return found;
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function sourceFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, found);
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** Every import between files of the repository (bare package specifiers are left out). */
function repositoryImports(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(repo)) {
    const from = toPosix(relative(repo, file));
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      edges.push({ from, to: toPosix(relative(repo, normalize(join(dirname(file), specifier)))) });
    }
  }
  return edges;
}

const folderOf = (path: string) => path.split('/')[0] ?? '';
const inFolder = (path: string, folders: readonly string[]) => folders.includes(folderOf(path));
/** Tests and their helpers: `*.test.ts`, and anything in a `test-support` folder or file. */
const isTestCode = (path: string) => /\.test\.ts$/.test(path) || /(^|\/)test-support(\/|\.ts$)/.test(path);

/** One dependency rule of docs/architecture.md: `forbids` says why an import breaks it, or undefined. */
interface Rule {
  name: string;
  forbids(edge: ImportEdge): boolean;
}

const RULES: Rule[] = [
  {
    // The front door imports its rooms, never the reverse. A test may drive the whole CLI through its
    // dispatcher (cli/main.ts), as a person would.
    name: 'nothing outside cli/ imports cli/',
    forbids: ({ from, to }) =>
      folderOf(to) === 'cli' && folderOf(from) !== 'cli' && !(isTestCode(from) && to === 'cli/main.ts'),
  },
  {
    name: 'crds/ imports nothing of ours',
    forbids: ({ from, to }) => folderOf(from) === 'crds' && !isTestCode(from) && folderOf(to) !== 'crds',
  },
  {
    name: 'lib/ imports only lib/ and crds/',
    forbids: ({ from, to }) =>
      folderOf(from) === 'lib' && !isTestCode(from) && !inFolder(to, ['lib', 'crds']),
  },
  {
    name: 'controllers/ imports only controllers/, crds/ and lib/',
    forbids: ({ from, to }) =>
      folderOf(from) === 'controllers' && !isTestCode(from) && !inFolder(to, ['controllers', 'crds', 'lib']),
  },
  {
    name: 'operator/ imports only operator/, controllers/, crds/ and lib/',
    forbids: ({ from, to }) =>
      folderOf(from) === 'operator' &&
      !isTestCode(from) &&
      !inFolder(to, ['operator', 'controllers', 'crds', 'lib']),
  },
  {
    name: 'render-job/, validation/ and search-api/ import only crds/, lib/ and their own folder',
    forbids: ({ from, to }) =>
      inFolder(from, ['render-job', 'validation', 'search-api']) &&
      !isTestCode(from) &&
      !inFolder(to, [folderOf(from), 'crds', 'lib']),
  },
  {
    // Its tests may read a dev tool's constant (the Kubernetes version the local cluster runs).
    name: 'pulumi/ imports no application code',
    forbids: ({ from, to }) =>
      folderOf(from) === 'pulumi' &&
      (inFolder(to, APPLICATION) || (!isTestCode(from) && inFolder(to, ['dev', 'test']))),
  },
  {
    name: 'production code never imports dev/, test/, demo/ or bench/',
    forbids: ({ from, to }) =>
      inFolder(from, PRODUCTION) && !isTestCode(from) && inFolder(to, ['dev', 'test', 'demo', 'bench']),
  },
  {
    name: 'production code never imports tests or their helpers',
    forbids: ({ from, to }) => inFolder(from, PRODUCTION) && !isTestCode(from) && isTestCode(to),
  },
  {
    name: 'demo/ and dev/ reach the test harness never: shared pieces live in dev/',
    forbids: ({ from, to }) =>
      inFolder(from, ['demo', 'dev']) && !isTestCode(from) && folderOf(to) === 'test',
  },
];

describe('importSpecifiers', () => {
  it('finds static, type-only, re-exported, side-effect and dynamic imports, not commented ones', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "import * as c from 'node:fs';",
      "export { d } from './d.ts';",
      "import './side-effect.ts';",
      "const e = () => import('../e.ts');",
      "import {\n  f,\n  g,\n} from './fg.ts';",
      "// import { x } from './commented.ts';",
      "/** @example import { y } from './in-docs.ts'; */",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(
      ['../b.ts', '../e.ts', './a.ts', './d.ts', './fg.ts', './side-effect.ts', 'node:fs'].sort(),
    );
  });
});

describe('dependency rules of docs/architecture.md', () => {
  const edges = repositoryImports();

  it('reads the imports of the whole repository', () => {
    expect(edges.length).toBeGreaterThan(500);
    for (const folder of ['cli', 'lib', 'operator', 'controllers', 'demo', 'dev']) {
      expect(
        edges.some((edge) => folderOf(edge.from) === folder),
        folder,
      ).toBe(true);
    }
  });

  it.each(RULES.map((rule) => [rule.name, rule] as const))('%s', (_name, rule) => {
    const broken = edges.filter((edge) => rule.forbids(edge)).map((edge) => `${edge.from} → ${edge.to}`);
    expect(broken).toEqual([]);
  });

  it.each([
    // a program importing the front door
    [{ from: 'validation/cli/validate.ts', to: 'cli/command.ts' }, 'nothing outside cli/ imports cli/'],
    // production code leaning on the test harness
    [
      { from: 'operator/operator.ts', to: 'test/harness/index.ts' },
      'production code never imports dev/, test/, demo/ or bench/',
    ],
    // the operator running dev-only code
    [
      { from: 'operator/operator.ts', to: 'dev/local-job-runner/start-local-job-runner.ts' },
      'production code never imports dev/, test/, demo/ or bench/',
    ],
    // a library reaching up into a program
    [{ from: 'lib/kube/informer.ts', to: 'operator/metrics.ts' }, 'lib/ imports only lib/ and crds/'],
    // infrastructure code importing the application
    [{ from: 'pulumi/index.ts', to: 'crds/api.ts' }, 'pulumi/ imports no application code'],
    // the demo importing the harness directly
    [
      { from: 'demo/environment.ts', to: 'test/harness/index.ts' },
      'demo/ and dev/ reach the test harness never: shared pieces live in dev/',
    ],
  ])('refuses %j (%s)', (edge, ruleName) => {
    const rule = RULES.find((candidate) => candidate.name === ruleName);
    expect(rule?.forbids(edge)).toBe(true);
  });
});
