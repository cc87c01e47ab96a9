import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEBIAN_SUITE } from '../definitions.ts';
import { sha256 } from './oci.ts';

/** Runs a program, throwing with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr.slice(-4000)}`);
  }
  return result.stdout;
}

const MIRRORS = [
  `deb http://deb.debian.org/debian ${DEBIAN_SUITE} main`,
  `deb http://deb.debian.org/debian-security ${DEBIAN_SUITE}-security main`,
];

/** Where the list of Debian package files (name_version_arch.deb) of a rootfs is kept inside it. */
export const PACKAGE_LIST_PATH = 'usr/share/shazam/debian-packages.txt';

/**
 * A tarball of `packages` and their dependencies extracted from Debian (mmdebstrap's `extract` variant:
 * files only, no maintainer scripts, no dpkg, no shell), cached by suite and package set.
 *
 * Caveats: the mirror moves (point and security releases), so a cold cache on another day may hold newer
 * package versions; the versions used are listed in the rootfs at {@link PACKAGE_LIST_PATH}.
 */
export function debianTarball(
  cacheDir: string,
  packages: readonly string[],
  log: (line: string) => void,
): string {
  const sorted = [...new Set(packages)].sort();
  const key = sha256(JSON.stringify({ suite: DEBIAN_SUITE, sorted, MIRRORS })).slice(7, 23);
  const path = join(cacheDir, 'debian', `${DEBIAN_SUITE}-${key}.tar`);
  if (existsSync(path)) return path;
  log(
    `[images] mmdebstrap ${DEBIAN_SUITE}: ${sorted.join(' ')} (a few minutes, mostly apt's index download)`,
  );
  spawnSync('mkdir', ['-p', join(cacheDir, 'debian')]);
  const partial = `${path}.partial`;
  run(
    'mmdebstrap',
    [
      '--mode=auto',
      '--variant=extract',
      '--quiet',
      `--include=${sorted.join(',')}`,
      '--dpkgopt=path-exclude=/usr/share/doc/*',
      '--dpkgopt=path-exclude=/usr/share/man/*',
      '--dpkgopt=path-exclude=/usr/share/info/*',
      '--dpkgopt=path-exclude=/usr/share/locale/*',
      '--dpkgopt=path-exclude=/usr/share/lintian/*',
      `--customize-hook=mkdir -p "$1/usr/share/shazam" && find "$1/var/cache/apt/archives" -name '*.deb' -printf '%f\\n' | sort > "$1/${PACKAGE_LIST_PATH}"`,
      '--format=tar',
      DEBIAN_SUITE,
      partial,
      ...MIRRORS,
    ],
    { env: { ...process.env, SOURCE_DATE_EPOCH: '0' } },
  );
  run('mv', [partial, path]);
  return path;
}

/** Paths of the extracted Debian tree that an image never needs (package manager state, runtime-provided). */
const DROPPED = [
  'dev',
  'proc',
  'sys',
  'run',
  'var',
  'boot',
  'etc/apt',
  'etc/dpkg',
  'etc/fstab',
  'etc/hostname',
  'etc/resolv.conf',
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
  'usr/share/locale',
  'usr/share/lintian',
  'usr/share/bash-completion',
];

/** Directories whose executables are dropped, except the ones listed in `keep`: no shell, no tools. */
const EXECUTABLE_DIRS = ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/libexec'];

/**
 * Extracts a Debian tarball into `dir` and removes what an image must not carry: package-manager state,
 * device nodes, documentation, and every executable except `keep` (paths relative to the root).
 */
export async function unpackDebian(tarball: string, dir: string, keep: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  run('tar', ['-xf', tarball, '-C', dir, '--exclude=./dev/*', '--no-same-owner']);
  for (const path of DROPPED) await rm(join(dir, path), { recursive: true, force: true });
  for (const sub of EXECUTABLE_DIRS) {
    const full = join(dir, sub);
    if (!existsSync(full)) continue;
    const kept = keep.filter((path) => path.startsWith(`${sub}/`));
    for (const keepPath of kept) await rename(join(dir, keepPath), join(dir, `${keepPath}.keep`));
    for (const entry of await readdir(full)) {
      if (!entry.endsWith('.keep')) await rm(join(full, entry), { recursive: true, force: true });
    }
    for (const keepPath of kept) await rename(join(dir, `${keepPath}.keep`), join(dir, keepPath));
  }
  await writeFile(join(dir, 'etc/ld.so.conf'), 'include /etc/ld.so.conf.d/*.conf\n');
}

/** Writes the dynamic linker's cache of `root` (`ldconfig -r`), so libraries resolve without a search. */
export function writeLinkerCache(root: string): void {
  run('ldconfig', ['-r', root]);
}

/**
 * Removes from `dir` every file or link that `base` holds at the same path, then empty directories: what is
 * left is the layer that turns `base` into `dir`.
 */
export async function subtractTree(dir: string, base: string, relativePath = ''): Promise<void> {
  const here = join(dir, relativePath);
  for (const entry of await readdir(here)) {
    const path = join(relativePath, entry);
    const stat = await lstat(join(dir, path));
    const other = existsSync(join(base, path)) || (await lstat(join(base, path)).catch(() => undefined));
    if (stat.isDirectory()) {
      await subtractTree(dir, base, path);
      if ((await readdir(join(dir, path))).length === 0) await rmdir(join(dir, path));
    } else if (other) {
      await rm(join(dir, path));
    }
  }
}
