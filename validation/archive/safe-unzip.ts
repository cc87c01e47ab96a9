import { createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { type Finding, type FindingCode, finding } from '../findings.ts';
import type { ArchivePolicy } from '../policy/policy.ts';
import { checkEntryName, collisionKey, decodeEntryName } from './check-entry-name.ts';
import { checkZipConsistency } from './check-zip-consistency.ts';
import { archiveKindOfMagic, archiveKindOfName } from './detect-archive.ts';

/** One file written by {@link safeUnzip}. */
export interface ExtractedFile {
  /** Path inside the delivery, `/`-separated. */
  name: string;
  /** Absolute path of the extracted copy under the scratch folder. */
  path: string;
  bytes: number;
}

/** What {@link safeUnzip} found and wrote. `files` is empty when any error finding was raised. */
export interface SafeUnzipResult {
  files: ExtractedFile[];
  findings: Finding[];
}

/** Options of {@link safeUnzip}. */
export interface SafeUnzipOptions {
  /** Folder to extract into; created if missing; nothing is written outside it. */
  destDir: string;
  policy: ArchivePolicy;
  /** Nesting depth of this archive: 1 for the delivery itself. */
  depth?: number;
  /** Where archives nested in this one are unpacked for inspection (only when the policy allows nesting). */
  nestedDir?: string;
}

interface EntryInfo {
  entry: yauzl.Entry;
  name: string;
  isFolder: boolean;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MADE_BY_UNIX = 3;
const MADE_BY_OSX = 19;
const DOS_ATTR_REPARSE_POINT = 0x400;
const LOCAL_HEADER_FIXED_BYTES = 30;

/**
 * Extracts a delivery ZIP into `destDir` under the archive policy, rejecting every hostile construct with
 * its own finding code: path traversal, absolute paths, drive letters, backslashes, invalid or non-UTF-8
 * names, symlinks and special files, duplicate and case-colliding names, encryption, unsupported methods,
 * oversized entries or totals, compression-ratio bombs, lying sizes, overlapping entries, bad CRCs, nested
 * archives beyond the allowed depth and too many entries.
 *
 * Guarantees: all metadata checks run on the central directory before a byte is extracted, so a rejected
 * ZIP writes nothing; extraction streams entry by entry (memory stays at the stream buffers plus one
 * metadata record per entry, at most `policy.maxEntries`); bytes are counted as they inflate, so a ZIP
 * that lies about its sizes is stopped at the declared size; every file is created with `O_EXCL` under a
 * path proven to stay inside `destDir` (or `nestedDir` for nested archives the policy allows).
 *
 * @example
 * ```ts
 * const { files, findings } = await safeUnzip('r1.zip', { destDir: '/tmp/job/delivery', policy: DEFAULT_POLICY.archive });
 * ```
 */
export async function safeUnzip(zipPath: string, options: SafeUnzipOptions): Promise<SafeUnzipResult> {
  const { policy, destDir } = options;
  const depth = options.depth ?? 1;
  const findings: Finding[] = [];
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    return { files: [], findings: [zipError(error, 'the file is not a readable ZIP')] };
  }
  try {
    if (zip.entryCount > policy.maxEntries) {
      findings.push(
        finding(
          'ZIP_TOO_MANY_ENTRIES',
          `The ZIP declares ${zip.entryCount} entries; at most ${policy.maxEntries} are accepted.`,
        ),
      );
      return { files: [], findings };
    }
    let entries: EntryInfo[];
    const raw: yauzl.Entry[] = [];
    // yauzl keeps the end record's directory offset only as its read cursor, before the first entry is read.
    const directoryOffset = (zip as unknown as { readEntryCursor: number }).readEntryCursor;
    try {
      entries = await readEntries(zip, findings, policy, depth, raw);
    } catch (error) {
      findings.push(zipError(error, 'its central directory cannot be read'));
      return { files: [], findings };
    }
    checkCentralDirectory(directoryOffset, entries, findings, policy);
    findings.push(
      ...(await checkZipConsistency(zipPath, {
        entries: raw,
        entryCount: zip.entryCount,
        centralDirectoryOffset: directoryOffset,
      })),
    );
    if (findings.some((item) => item.severity === 'error')) return { files: [], findings };
    const nestedDir = options.nestedDir ?? `${destDir}.nested`;
    const files = await extractAll(zip, entries, { destDir, nestedDir, policy, depth }, findings);
    if (findings.some((item) => item.severity === 'error')) return { files: [], findings };
    return { files, findings };
  } finally {
    zip.close();
  }
}

function zipError(error: unknown, what: string): Finding {
  const message = error instanceof Error ? error.message : String(error);
  let code: FindingCode = 'ZIP_CORRUPT';
  if (/strong encryption/i.test(message)) code = 'ZIP_ENCRYPTED';
  else if (/too many bytes|too few bytes|size mismatch/i.test(message)) code = 'ZIP_SIZE_MISMATCH';
  const text =
    code === 'ZIP_CORRUPT'
      ? `The delivery is not a valid ZIP: ${what} (${message}).`
      : `The ZIP is unsafe: ${message}.`;
  return finding(code, text);
}

function readEntries(
  zip: yauzl.ZipFile,
  findings: Finding[],
  policy: ArchivePolicy,
  depth: number,
  raw: yauzl.Entry[],
): Promise<EntryInfo[]> {
  return new Promise((resolvePromise, reject) => {
    const entries: EntryInfo[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      raw.push(entry);
      const info = checkEntry(entry, findings, policy, depth);
      if (info) entries.push(info);
      zip.readEntry();
    });
    zip.once('end', () => resolvePromise(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

function checkEntry(
  entry: yauzl.Entry,
  findings: Finding[],
  policy: ArchivePolicy,
  depth: number,
): EntryInfo | undefined {
  const raw = entry.fileName as unknown as Buffer;
  const name = decodeEntryName(raw);
  if (name === undefined) {
    findings.push(
      finding(
        'ZIP_NAME_NOT_UTF8',
        `An entry name is not valid UTF-8 (bytes ${raw.subarray(0, 32).toString('hex')}).`,
      ),
    );
    return undefined;
  }
  const location = { file: name };
  const problem = checkEntryName(name, raw.length, policy);
  if (problem) {
    findings.push(
      finding(problem.code, `Entry "${printable(name)}" is rejected: ${problem.reason}.`, location),
    );
    return undefined;
  }
  const type = fileType(entry);
  const isFolder = name.endsWith('/') || type === 'folder';
  if (type === 'symlink') {
    findings.push(finding('ZIP_SYMLINK', `Entry "${name}" is a symbolic link.`, location));
    return undefined;
  }
  if (type === 'special') {
    findings.push(
      finding(
        'ZIP_SPECIAL_FILE',
        `Entry "${name}" is not a regular file (device, pipe or socket).`,
        location,
      ),
    );
    return undefined;
  }
  // Bit 0: traditional PKWARE encryption; bit 6: strong encryption; method 99: WinZip AES.
  if ((entry.generalPurposeBitFlag & 0x41) !== 0 || entry.compressionMethod === 99) {
    findings.push(finding('ZIP_ENCRYPTED', `Entry "${name}" is encrypted.`, location));
    return undefined;
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    findings.push(
      finding(
        'ZIP_UNSUPPORTED_METHOD',
        `Entry "${name}" uses compression method ${entry.compressionMethod}; only store (0) and deflate (8) are accepted.`,
        location,
      ),
    );
    return undefined;
  }
  if (!isFolder) {
    if (entry.uncompressedSize > policy.maxEntryBytes) {
      findings.push(
        finding(
          'ZIP_ENTRY_TOO_LARGE',
          `Entry "${name}" expands to ${entry.uncompressedSize} bytes; the limit is ${policy.maxEntryBytes}.`,
          location,
        ),
      );
      return undefined;
    }
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize >= policy.ratioMinBytes && ratio > policy.maxCompressionRatio) {
      findings.push(
        finding(
          'ZIP_COMPRESSION_RATIO',
          `Entry "${name}" expands ${Math.round(ratio)}:1 (limit ${policy.maxCompressionRatio}:1), the mark of a ZIP bomb.`,
          location,
        ),
      );
      return undefined;
    }
    const nested = archiveKindOfName(name);
    if (nested && depth + 1 > policy.maxArchiveDepth) {
      findings.push(nestedFinding(name, nested));
      return undefined;
    }
  }
  return { entry, name, isFolder };
}

function fileType(entry: yauzl.Entry): 'file' | 'folder' | 'symlink' | 'special' {
  const madeBy = entry.versionMadeBy >> 8;
  if (madeBy === MADE_BY_UNIX || madeBy === MADE_BY_OSX) {
    const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
    if (mode === 0 || mode === S_IFREG) return 'file';
    if (mode === S_IFDIR) return 'folder';
    if (mode === S_IFLNK) return 'symlink';
    return 'special';
  }
  if ((entry.externalFileAttributes & DOS_ATTR_REPARSE_POINT) !== 0) return 'symlink';
  return 'file';
}

function nestedFinding(name: string, kind: string): Finding {
  return finding(
    'ZIP_NESTED_ARCHIVE',
    `Entry "${name}" is itself an archive (${kind}); archives inside the delivery are not accepted.`,
    { file: name },
  );
}

function checkCentralDirectory(
  directoryStart: number,
  entries: EntryInfo[],
  findings: Finding[],
  policy: ArchivePolicy,
): void {
  const seen = new Map<string, string>();
  const folded = new Map<string, string>();
  let total = 0;
  for (const { name, entry, isFolder } of entries) {
    const key = isFolder ? name.replace(/\/$/, '') : name;
    if (seen.has(key)) {
      findings.push(
        finding('ZIP_DUPLICATE_NAME', `"${name}" appears more than once in the ZIP.`, { file: name }),
      );
      continue;
    }
    seen.set(key, name);
    const fold = collisionKey(key);
    const other = folded.get(fold);
    if (other !== undefined) {
      findings.push(
        finding(
          'ZIP_CASE_COLLISION',
          `"${name}" and "${other}" differ only by case or Unicode normalisation; they overwrite each other on macOS and Windows.`,
          { file: name },
        ),
      );
      continue;
    }
    folded.set(fold, name);
    total += entry.uncompressedSize;
  }
  if (total > policy.maxTotalBytes) {
    findings.push(
      finding(
        'ZIP_TOTAL_TOO_LARGE',
        `The ZIP expands to ${total} bytes in all; the limit is ${policy.maxTotalBytes}.`,
      ),
    );
  }
  checkPathConflicts(entries, findings);
  // Entries whose data overlap (one local record reused by many central records) are how the
  // non-recursive "overlapping" ZIP bombs reach huge ratios; no packer writes them.
  const sorted = entries
    .filter((info) => !info.isFolder || info.entry.compressedSize > 0)
    .map((info) => info.entry)
    .sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  for (let index = 0; index < sorted.length; index++) {
    const current = sorted[index]!;
    const end =
      current.relativeOffsetOfLocalHeader +
      LOCAL_HEADER_FIXED_BYTES +
      current.fileNameLength +
      current.compressedSize;
    const next = sorted[index + 1];
    const limit = next ? next.relativeOffsetOfLocalHeader : directoryStart;
    if (end > limit) {
      const name = decodeEntryName(current.fileName as unknown as Buffer) ?? '?';
      findings.push(
        finding(
          'ZIP_OVERLAPPING_ENTRIES',
          `The data of entry "${name}" overlaps the next entry or the central directory.`,
          { file: name },
        ),
      );
      return;
    }
  }
}

/**
 * A file whose path another entry uses as a folder (`references` beside `references/a.jpg`, or
 * `References` on a case-insensitive disk): no file system can hold both, and tools disagree on which wins.
 */
function checkPathConflicts(entries: EntryInfo[], findings: Finding[]): void {
  const folders = new Map<string, string>();
  for (const { name } of entries) {
    const segments = name.replace(/\/$/, '').split('/');
    for (let length = 1; length < segments.length; length++) {
      const folder = segments.slice(0, length).join('/');
      const key = collisionKey(folder);
      if (!folders.has(key)) folders.set(key, name);
    }
  }
  for (const { name, isFolder } of entries) {
    if (isFolder) continue;
    const user = folders.get(collisionKey(name));
    if (user !== undefined) {
      findings.push(
        finding(
          'ZIP_PATH_CONFLICT',
          `"${name}" is a file, but "${user}" needs a folder of that name; the two cannot both be unpacked.`,
          { file: name },
        ),
      );
    }
  }
}

interface ExtractContext {
  destDir: string;
  nestedDir: string;
  policy: ArchivePolicy;
  depth: number;
}

async function extractAll(
  zip: yauzl.ZipFile,
  entries: EntryInfo[],
  context: ExtractContext,
  findings: Finding[],
): Promise<ExtractedFile[]> {
  const root = resolve(context.destDir);
  await mkdir(root, { recursive: true });
  const files: ExtractedFile[] = [];
  let total = 0;
  for (const { entry, name, isFolder } of entries) {
    const target = resolve(root, ...name.split('/'));
    const inside = relative(root, target);
    // Defence in depth: checkEntryName already guarantees this.
    if (inside.startsWith('..') || inside.startsWith(sep) || inside === '') {
      findings.push(finding('ZIP_PATH_TRAVERSAL', `Entry "${name}" resolves outside the extraction folder.`));
      return files;
    }
    let outcome: Awaited<ReturnType<typeof extractEntry>>;
    try {
      if (isFolder) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      outcome = await extractEntry(zip, entry, target, context.policy.maxEntryBytes);
    } catch (error) {
      outcome = { error };
    }
    if ('error' in outcome && isPathClash(outcome.error)) {
      // Defence in depth: checkPathConflicts already rejects the names that make these.
      findings.push(
        finding(
          'ZIP_PATH_CONFLICT',
          `Entry "${name}" cannot be unpacked: another entry holds its path (${(outcome.error as NodeJS.ErrnoException).code}).`,
          { file: name },
        ),
      );
      return files;
    }
    if ('error' in outcome) {
      findings.push({
        ...zipError(outcome.error, `entry "${name}" cannot be extracted`),
        location: { file: name },
      });
      return files;
    }
    if (outcome.crc !== entry.crc32) {
      findings.push(
        finding('ZIP_CRC_MISMATCH', `Entry "${name}" does not match its CRC-32; the ZIP is damaged.`, {
          file: name,
        }),
      );
      return files;
    }
    total += outcome.bytes;
    if (total > context.policy.maxTotalBytes) {
      findings.push(
        finding('ZIP_TOTAL_TOO_LARGE', `The ZIP expands past ${context.policy.maxTotalBytes} bytes in all.`),
      );
      return files;
    }
    const kind = await archiveKindOfFile(target);
    if (kind) {
      if (context.depth + 1 > context.policy.maxArchiveDepth) {
        findings.push(nestedFinding(name, kind));
        return files;
      }
      if (kind === 'zip') {
        const nested = await safeUnzip(target, {
          destDir: join(context.nestedDir, String(files.length)),
          nestedDir: join(context.nestedDir, `${files.length}.nested`),
          policy: context.policy,
          depth: context.depth + 1,
        });
        for (const item of nested.findings)
          findings.push({ ...item, message: `In ${name}: ${item.message}` });
        if (nested.findings.some((item) => item.severity === 'error')) return files;
      }
    }
    files.push({ name, path: target, bytes: outcome.bytes });
  }
  return files;
}

async function extractEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  target: string,
  maxBytes: number,
): Promise<{ bytes: number; crc: number } | { error: unknown }> {
  let bytes = 0;
  let crc = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        callback(new Error(`too many bytes in the stream: more than ${maxBytes}`));
        return;
      }
      crc = crc32(chunk, crc);
      callback(null, chunk);
    },
  });
  try {
    const input = await new Promise<NodeJS.ReadableStream>((resolveStream, reject) =>
      zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolveStream(stream))),
    );
    await pipeline(input, counter, createWriteStream(target, { flags: 'wx' }));
    return { bytes, crc: crc >>> 0 };
  } catch (error) {
    return { error };
  }
}

function isPathClash(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR';
}

async function archiveKindOfFile(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(262);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return archiveKindOfMagic(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

function printable(name: string): string {
  let out = '';
  for (const char of name) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char;
  }
  return out;
}
