import { chmod, copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import ts from 'typescript';
import type { ImageDefinition } from '../definitions.ts';
import { type LockPackage, packageClosure, packageNameOf } from './package-closure.ts';

/** What {@link stageApp} put into the image's `/app`. */
export interface StagedApp {
  /** Repository files compiled or copied into `dist/`, relative to the repository root. */
  sources: string[];
  /** Packages the image's code imports directly. */
  directPackages: string[];
  /** Lockfile paths copied into `node_modules/`. */
  packages: string[];
}

const CLI_MAIN = 'cli/main.ts';
/** Packages a clone uses that an image must never carry (bin/shazam.js falls back to dist/ without tsx). */
const DEV_ONLY = new Set(['tsx']);

/** The `name: () => import('path')` table of cli/main.ts: command → module path relative to the root. */
export function commandModules(cliMainSource: string): Map<string, string> {
  const table = new Map<string, string>();
  const pattern = /^\s*'?([a-z][a-z-]*)'?:\s*\(\)\s*=>\s*import\('([^']+)'\)/gm;
  for (const match of cliMainSource.matchAll(pattern)) {
    const [, name, path] = match as unknown as [string, string, string];
    table.set(name, join(dirname(CLI_MAIN), path));
  }
  return table;
}

/** Leaves out the command modules an image does not carry, so their code and packages stay out too. */
function omitCommands(root: string, omitted: Set<string>): Plugin {
  return {
    name: 'omit-commands',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = relative(root, join(args.resolveDir, args.path));
        return omitted.has(target) ? { path: args.path, external: true } : undefined;
      });
    },
  };
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier);
}

/**
 * Compiles the part of the repository an image's commands reach into `<outDir>/dist` (one JS file per
 * TypeScript file, the layout bin/shazam.js and `import.meta.url` lookups expect), copies the packages
 * those files import, with their dependency closure from package-lock.json, into `<outDir>/node_modules`,
 * and writes `package.json` and `bin/shazam.js`.
 *
 * Guarantees: output depends only on the repository's files and node_modules (no timestamps, no absolute
 * paths). Assumptions: node_modules matches package-lock.json (`npm ci`).
 */
export async function stageApp(root: string, image: ImageDefinition, outDir: string): Promise<StagedApp> {
  const table = commandModules(await readFile(join(root, CLI_MAIN), 'utf8'));
  for (const command of image.commands) {
    if (!table.has(command)) throw new Error(`${image.name}: cli/main.ts has no command ${command}`);
  }
  const omitted = new Set([...table].filter(([name]) => !image.commands.includes(name)).map(([, p]) => p));
  const result = await build({
    absWorkingDir: root,
    entryPoints: [CLI_MAIN, ...image.extraEntries],
    bundle: true,
    write: false,
    metafile: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    outdir: 'out',
    packages: 'external',
    logLevel: 'silent',
    plugins: [omitCommands(root, omitted)],
  });
  const sources = Object.keys(result.metafile.inputs)
    .filter((path) => !path.startsWith('node_modules/'))
    .sort();
  const direct = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) {
      if (!imported.external || imported.path.startsWith('.') || isBuiltin(imported.path)) continue;
      direct.add(packageNameOf(imported.path));
    }
  }
  for (const name of DEV_ONLY) direct.delete(name);
  const directPackages = [...direct].sort();

  for (const source of sources) {
    const target = join(outDir, 'dist', source.replace(/\.ts$/, '.js'));
    await mkdir(dirname(target), { recursive: true });
    if (source.endsWith('.ts')) {
      const output = ts.transpileModule(await readFile(join(root, source), 'utf8'), {
        fileName: source,
        compilerOptions: {
          target: ts.ScriptTarget.ES2023,
          module: ts.ModuleKind.ESNext,
          rewriteRelativeImportExtensions: true,
          allowImportingTsExtensions: true,
          verbatimModuleSyntax: true,
          esModuleInterop: true,
          sourceMap: false,
        },
      });
      await writeFile(target, output.outputText);
    } else {
      await copyFile(join(root, source), target);
    }
  }
  for (const dir of image.assetDirs) {
    await cp(join(root, dir), join(outDir, 'dist', dir), {
      recursive: true,
      filter: (path) => !path.endsWith('.ts'),
    });
  }

  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  const packages = packageClosure(lock.packages, directPackages);
  for (const path of packages) {
    await cp(join(root, path), join(outDir, path), {
      recursive: true,
      // Nested node_modules are copied as packages of their own when the closure holds them.
      filter: (source) => !relative(join(root, path), source).split('/').includes('node_modules'),
    });
  }

  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  await writeFile(
    join(outDir, 'package.json'),
    `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module' }, null, 2)}\n`,
  );
  await mkdir(join(outDir, 'bin'), { recursive: true });
  await copyFile(join(root, 'bin/shazam.js'), join(outDir, 'bin/shazam.js'));
  await chmod(join(outDir, 'bin/shazam.js'), 0o755);
  return { sources, directPackages, packages };
}
