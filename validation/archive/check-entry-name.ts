import type { FindingCode } from '../findings.ts';

/** A problem with one entry name: the finding code and why. */
export interface NameProblem {
  code: FindingCode;
  reason: string;
}

/** Limits {@link checkEntryName} applies. */
export interface EntryNameLimits {
  maxNameBytes: number;
  maxPathDepth: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a raw ZIP entry name as UTF-8, or returns undefined when the bytes are not valid UTF-8.
 * Pure ASCII names (what every sane packer writes) decode the same under CP437, the ZIP default, so
 * requiring UTF-8 loses nothing real and closes the door on names that decode differently per tool.
 */
export function decodeEntryName(raw: Uint8Array): string | undefined {
  try {
    return utf8.decode(raw);
  } catch {
    return undefined;
  }
}

/**
 * Checks one entry name (already decoded) against every path rule of the safe unzip: traversal,
 * absolute paths, drive letters, backslashes, control characters, empty or dot segments, length and
 * depth. Returns the first problem, or undefined when the name is safe to join under a scratch folder.
 *
 * Guarantees: a name that passes contains only `/`-separated non-empty segments, none `.` or `..`, no
 * control characters and no backslash, so `join(root, name)` stays inside `root` on POSIX and Windows.
 */
export function checkEntryName(
  name: string,
  rawLength: number,
  limits: EntryNameLimits,
): NameProblem | undefined {
  if (rawLength > limits.maxNameBytes) {
    return {
      code: 'ZIP_NAME_TOO_LONG',
      reason: `the name is ${rawLength} bytes (limit ${limits.maxNameBytes})`,
    };
  }
  if (name.length === 0) return { code: 'ZIP_INVALID_NAME', reason: 'the name is empty' };
  if (name.startsWith('/')) return { code: 'ZIP_ABSOLUTE_PATH', reason: 'the name is an absolute path' };
  if (/^[A-Za-z]:/.test(name))
    return { code: 'ZIP_DRIVE_LETTER', reason: 'the name starts with a drive letter' };
  if (name.includes('\\')) {
    return { code: 'ZIP_BACKSLASH_PATH', reason: 'the name contains a backslash (a Windows path separator)' };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is rejected
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    return { code: 'ZIP_INVALID_NAME', reason: 'the name contains a control character' };
  }
  const isFolder = name.endsWith('/');
  const segments = (isFolder ? name.slice(0, -1) : name).split('/');
  if (segments.includes('..')) return { code: 'ZIP_PATH_TRAVERSAL', reason: 'the name climbs out with ".."' };
  if (segments.some((segment) => segment === '' || segment === '.')) {
    return { code: 'ZIP_INVALID_NAME', reason: 'the name has an empty or "." path segment' };
  }
  const folders = segments.length - (isFolder ? 0 : 1);
  if (folders > limits.maxPathDepth) {
    return {
      code: 'ZIP_PATH_TOO_DEEP',
      reason: `the name is ${folders} folders deep (limit ${limits.maxPathDepth})`,
    };
  }
  return undefined;
}

/** The key two names collide on in a case-insensitive, normalisation-insensitive file system (macOS, Windows). */
export function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}
