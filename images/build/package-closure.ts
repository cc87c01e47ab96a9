/** One entry of package-lock.json's `packages` map (the fields the closure reads). */
export interface LockPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The platform packages are chosen for (the images' platform). */
export interface TargetPlatform {
  os: string;
  cpu: string;
  libc: string;
}

/** Linux on x86-64 with glibc: every SHAZAM image. */
export const LINUX_X64_GLIBC: TargetPlatform = { os: 'linux', cpu: 'x64', libc: 'glibc' };

function allows(list: string[] | undefined, value: string): boolean {
  if (!list || list.length === 0) return true;
  const denied = list.filter((item) => item.startsWith('!')).map((item) => item.slice(1));
  if (denied.includes(value)) return false;
  const allowed = list.filter((item) => !item.startsWith('!'));
  return allowed.length === 0 || allowed.includes(value);
}

/** Whether a lockfile entry can be installed on `platform` (npm's `os`/`cpu`/`libc` rules). */
export function fitsPlatform(entry: LockPackage, platform: TargetPlatform): boolean {
  return (
    allows(entry.os, platform.os) && allows(entry.cpu, platform.cpu) && allows(entry.libc, platform.libc)
  );
}

/** The package name of a bare import specifier: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * Resolves `name` from the package installed at `fromPath` the way Node does: `fromPath/node_modules/name`,
 * then each ancestor's `node_modules`, up to the root's.
 */
function resolveFrom(
  packages: Record<string, LockPackage>,
  fromPath: string,
  name: string,
): string | undefined {
  let base = fromPath;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/**
 * The lockfile paths (`node_modules/...`) an image must carry so that `roots` and everything they depend on
 * resolve: the dependency closure over `dependencies`, `optionalDependencies` that fit the platform, and
 * installed peers, following Node's resolution through nested `node_modules`.
 *
 * Guarantees: sorted, no duplicates, only paths present in the lockfile. Caveats: a root missing from the
 * lockfile is an error (the image would fail at run time); a missing non-optional dependency of a package
 * is an error too.
 */
export function packageClosure(
  packages: Record<string, LockPackage>,
  roots: readonly string[],
  platform: TargetPlatform = LINUX_X64_GLIBC,
): string[] {
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const root of roots) {
    const path = resolveFrom(packages, '', root);
    if (!path) throw new Error(`package ${root} is imported but not in package-lock.json`);
    queue.push(path);
  }
  while (queue.length > 0) {
    const path = queue.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    const entry = packages[path] as LockPackage;
    const wanted: Array<[string, boolean]> = [
      ...Object.keys(entry.dependencies ?? {}).map((name): [string, boolean] => [name, false]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((name): [string, boolean] => [name, true]),
      ...Object.keys(entry.peerDependencies ?? {}).map((name): [string, boolean] => [name, true]),
    ];
    for (const [name, optional] of wanted) {
      const dep = resolveFrom(packages, path, name);
      if (!dep) {
        if (optional) continue;
        throw new Error(`${path} depends on ${name}, which package-lock.json does not hold`);
      }
      const depEntry = packages[dep] as LockPackage;
      if (!fitsPlatform(depEntry, platform)) continue;
      if (!seen.has(dep)) queue.push(dep);
    }
  }
  return [...seen].sort();
}
