import { randomBytes } from 'node:crypto';
import type { FindingCode } from '../../../validation/findings.ts';
import type { ArchivePolicy } from '../../../validation/policy/policy.ts';
import { buildTestZip, type TestZipEntry } from './test-zip.ts';

/** One hostile ZIP and the finding code it must be rejected with. */
export interface HostileCase {
  id: string;
  /** What the attack is. */
  description: string;
  zip: Buffer;
  expected: FindingCode;
  /** Policy changes the case needs (e.g. a small total to test the cap cheaply). */
  policy?: Partial<ArchivePolicy>;
}

const MiB = 1024 * 1024;
const manifest: TestZipEntry = {
  name: 'manifest.yaml',
  data: Buffer.from('asin: B0HOSTILE1\nrevision: 1\n'),
};
const file = (name: string | Uint8Array, data = 'x', extra: Partial<TestZipEntry> = {}): TestZipEntry => ({
  name,
  data: Buffer.from(data),
  ...extra,
});

function zip(...entries: TestZipEntry[]): Buffer {
  return buildTestZip([manifest, ...entries]);
}

/**
 * The generated hostile-ZIP corpus: every class of attack the safe unzip rejects, each with the code it
 * must be rejected with. Deterministic except the incompressible payloads (random bytes).
 */
export function hostileCorpus(): HostileCase[] {
  const zeros64 = Buffer.alloc(64 * MiB);
  const innerZip = buildTestZip([file('inner.txt')]);
  const innerHostile = buildTestZip([file('../../escaped.txt', 'pwned')]);
  const valid = zip(file('model/B0HOSTILE1.glb', 'glTF'));
  const cases: HostileCase[] = [
    {
      id: 'traversal-dotdot',
      description: '../ at the start',
      zip: zip(file('../evil.txt')),
      expected: 'ZIP_PATH_TRAVERSAL',
    },
    {
      id: 'traversal-inner',
      description: '../ inside a path climbing above the root',
      zip: zip(file('references/../../evil.txt')),
      expected: 'ZIP_PATH_TRAVERSAL',
    },
    {
      id: 'traversal-folder',
      description: 'a ../ folder entry',
      zip: zip(file('../', '')),
      expected: 'ZIP_PATH_TRAVERSAL',
    },
    {
      id: 'absolute',
      description: 'absolute POSIX path',
      zip: zip(file('/tmp/evil.sh')),
      expected: 'ZIP_ABSOLUTE_PATH',
    },
    {
      id: 'drive-letter',
      description: 'Windows drive path',
      zip: zip(file('C:/Windows/evil.dll')),
      expected: 'ZIP_DRIVE_LETTER',
    },
    {
      id: 'drive-relative',
      description: 'drive-relative path',
      zip: zip(file('c:evil.txt')),
      expected: 'ZIP_DRIVE_LETTER',
    },
    {
      id: 'backslash-traversal',
      description: '..\\ with Windows separators',
      zip: zip(file('..\\evil.txt')),
      expected: 'ZIP_BACKSLASH_PATH',
    },
    {
      id: 'unc-path',
      description: 'UNC path',
      zip: zip(file('\\\\server\\share\\evil.txt')),
      expected: 'ZIP_BACKSLASH_PATH',
    },
    {
      id: 'symlink-unix',
      description: 'Unix symlink to /etc/passwd',
      zip: zip(file('references/photo.jpg', '/etc/passwd', { mode: 0o120777 })),
      expected: 'ZIP_SYMLINK',
    },
    {
      id: 'symlink-macos',
      description: 'symlink made on macOS',
      zip: zip(file('model/B0HOSTILE1.glb', '../../../etc/passwd', { mode: 0o120755, madeBy: 19 })),
      expected: 'ZIP_SYMLINK',
    },
    {
      id: 'reparse-point',
      description: 'Windows reparse point (junction)',
      zip: zip(file('references/x.jpg', 'C:\\Windows', { madeBy: 0, externalAttributes: 0x400 })),
      expected: 'ZIP_SYMLINK',
    },
    {
      id: 'fifo',
      description: 'named pipe',
      zip: zip(file('source/pipe', '', { mode: 0o010644 })),
      expected: 'ZIP_SPECIAL_FILE',
    },
    {
      id: 'device',
      description: 'block device',
      zip: zip(file('source/sda', '', { mode: 0o060644 })),
      expected: 'ZIP_SPECIAL_FILE',
    },
    {
      id: 'duplicate',
      description: 'the same name twice',
      zip: zip(file('references/a.jpg'), file('references/a.jpg')),
      expected: 'ZIP_DUPLICATE_NAME',
    },
    {
      id: 'case-collision',
      description: 'names equal but for case',
      zip: zip(file('model/B0HOSTILE1.glb'), file('MODEL/b0hostile1.GLB')),
      expected: 'ZIP_CASE_COLLISION',
    },
    {
      id: 'nfc-nfd-collision',
      description: 'composed and decomposed é',
      zip: zip(file('references/caf\u00e9.jpg'), file('references/cafe\u0301.jpg')),
      expected: 'ZIP_CASE_COLLISION',
    },
    {
      id: 'encrypted',
      description: 'PKWARE encryption flag',
      zip: zip(file('model/a.glb', 'x', { flags: 0x0801 })),
      expected: 'ZIP_ENCRYPTED',
    },
    {
      id: 'aes',
      description: 'WinZip AES (method 99)',
      zip: zip(file('model/a.glb', 'xyz', { method: 99 })),
      expected: 'ZIP_ENCRYPTED',
    },
    {
      id: 'strong-encryption',
      description: 'strong encryption flag',
      zip: zip(file('model/a.glb', 'x', { flags: 0x0841 })),
      expected: 'ZIP_ENCRYPTED',
    },
    {
      id: 'lzma',
      description: 'unsupported method (LZMA)',
      zip: zip(file('model/a.glb', 'xyz', { method: 14 })),
      expected: 'ZIP_UNSUPPORTED_METHOD',
    },
    {
      id: 'zip64-claims-1tib',
      description: 'ZIP64 header claiming a 1 TiB entry',
      zip: zip(file('model/a.glb', 'x', { zip64UncompressedSize: 1n << 40n })),
      expected: 'ZIP_ENTRY_TOO_LARGE',
    },
    {
      id: 'claims-4gib',
      description: 'header claiming a 4 GiB entry',
      zip: zip(file('model/a.glb', 'x', { declaredUncompressedSize: 0xfffffff0 })),
      expected: 'ZIP_ENTRY_TOO_LARGE',
    },
    {
      id: 'ratio-bomb',
      description: '64 MiB of zeros in 64 KiB (1000:1)',
      zip: zip({ name: 'model/B0HOSTILE1.glb', data: zeros64 }),
      expected: 'ZIP_COMPRESSION_RATIO',
    },
    {
      id: 'lying-size',
      description: 'declares 1000 bytes, inflates to 64 MiB',
      zip: zip({ name: 'model/B0HOSTILE1.glb', data: zeros64, declaredUncompressedSize: 1000 }),
      expected: 'ZIP_SIZE_MISMATCH',
    },
    {
      id: 'stored-size-mismatch',
      description: 'stored entry whose sizes disagree',
      zip: zip(file('model/a.glb', 'abcdef', { method: 0, declaredUncompressedSize: 3 })),
      expected: 'ZIP_SIZE_MISMATCH',
    },
    {
      id: 'total-too-large',
      description: 'three 600 KiB entries over a 1 MiB total',
      zip: zip(
        ...[0, 1, 2].map((index) => ({
          name: `references/${index}.jpg`,
          data: randomBytes(600 * 1024),
          method: 0,
        })),
      ),
      expected: 'ZIP_TOTAL_TOO_LARGE',
      policy: { maxTotalBytes: MiB },
    },
    {
      id: 'too-many-entries',
      description: '1001 entries',
      zip: zip(...Array.from({ length: 1000 }, (_, index) => file(`references/${index}.jpg`))),
      expected: 'ZIP_TOO_MANY_ENTRIES',
    },
    {
      id: 'claims-65535-entries',
      description: 'end record claiming 65535 entries',
      zip: buildTestZip([manifest], { declaredEntryCount: 65535 }),
      expected: 'ZIP_TOO_MANY_ENTRIES',
    },
    {
      id: 'overlapping',
      description: 'two central records sharing one local record',
      zip: buildTestZip([
        { name: 'a.bin', data: randomBytes(64 * 1024) },
        { ...file('b.bin'), reuseLocalHeaderOf: 0 },
      ]),
      expected: 'ZIP_OVERLAPPING_ENTRIES',
    },
    {
      id: 'nested-zip-name',
      description: 'a .zip inside',
      zip: zip({ name: 'source/more.zip', data: innerZip }),
      expected: 'ZIP_NESTED_ARCHIVE',
    },
    {
      id: 'nested-zip-disguised',
      description: 'a ZIP renamed .jpg',
      zip: zip({ name: 'references/photo.jpg', data: innerZip }),
      expected: 'ZIP_NESTED_ARCHIVE',
    },
    {
      id: 'nested-gzip-name',
      description: 'a .gz inside',
      zip: zip(file('source/mesh.obj.gz')),
      expected: 'ZIP_NESTED_ARCHIVE',
    },
    {
      id: 'nested-7z-magic',
      description: '7-Zip data under a neutral name',
      zip: zip({ name: 'source/data.bin', data: Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]) }),
      expected: 'ZIP_NESTED_ARCHIVE',
    },
    {
      id: 'nested-depth-3',
      description: 'a ZIP in a ZIP in a ZIP with depth 2 allowed',
      zip: zip({ name: 'source/outer.bin', data: buildTestZip([{ name: 'inner.bin', data: innerZip }]) }),
      expected: 'ZIP_NESTED_ARCHIVE',
      policy: { maxArchiveDepth: 2 },
    },
    {
      id: 'nested-hostile',
      description: 'traversal inside a nested ZIP that the policy lets through',
      zip: zip({ name: 'source/inner.bin', data: innerHostile }),
      expected: 'ZIP_PATH_TRAVERSAL',
      policy: { maxArchiveDepth: 2 },
    },
    {
      id: 'not-utf8',
      description: 'name bytes 0xff 0xfe',
      zip: zip(file(Buffer.from([0xff, 0xfe, 0x2e, 0x6a]))),
      expected: 'ZIP_NAME_NOT_UTF8',
    },
    {
      id: 'overlong-slash',
      description: 'overlong UTF-8 "/" in ..%c0%af',
      zip: zip(file(Buffer.from([0x2e, 0x2e, 0xc0, 0xaf, 0x65]))),
      expected: 'ZIP_NAME_NOT_UTF8',
    },
    {
      id: 'nul-in-name',
      description: 'NUL truncating the name',
      zip: zip(file('model/a.glb\u0000.txt')),
      expected: 'ZIP_INVALID_NAME',
    },
    {
      id: 'control-char',
      description: 'escape sequence in the name',
      zip: zip(file('references/\u001b[31mred.jpg')),
      expected: 'ZIP_INVALID_NAME',
    },
    {
      id: 'empty-segment',
      description: 'model//a.glb',
      zip: zip(file('model//a.glb')),
      expected: 'ZIP_INVALID_NAME',
    },
    {
      id: 'dot-segment',
      description: './manifest.yaml',
      zip: zip(file('./x.yaml')),
      expected: 'ZIP_INVALID_NAME',
    },
    { id: 'empty-name', description: 'an empty name', zip: zip(file('')), expected: 'ZIP_INVALID_NAME' },
    {
      id: 'name-too-long',
      description: '300-byte name',
      zip: zip(file(`references/${'a'.repeat(290)}.jpg`)),
      expected: 'ZIP_NAME_TOO_LONG',
    },
    {
      id: 'too-deep',
      description: 'five folders deep',
      zip: zip(file('a/b/c/d/e/f.txt')),
      expected: 'ZIP_PATH_TOO_DEEP',
    },
    {
      id: 'crc-mismatch',
      description: 'data that does not match its CRC-32',
      zip: zip(file('model/a.glb', 'hello', { declaredCrc: 0x12345678 })),
      expected: 'ZIP_CRC_MISMATCH',
    },
    {
      id: 'truncated',
      description: 'cut in half',
      zip: valid.subarray(0, Math.floor(valid.length / 2)),
      expected: 'ZIP_CORRUPT',
    },
    { id: 'not-a-zip', description: 'random bytes', zip: randomBytes(4096), expected: 'ZIP_CORRUPT' },
    {
      id: 'directory-past-end',
      description: 'central directory offset past the end of the file',
      zip: buildTestZip([manifest], { declaredDirectoryOffset: 1 << 30 }),
      expected: 'ZIP_CORRUPT',
    },
    {
      id: 'file-and-folder',
      description: 'a file "references" beside entries under references/',
      zip: zip(file('references'), file('references/a.jpg')),
      expected: 'ZIP_PATH_CONFLICT',
    },
    {
      id: 'file-and-folder-case',
      description: 'a file "References" beside references/ on a case-insensitive disk',
      zip: zip(file('References'), file('references/a.jpg')),
      expected: 'ZIP_PATH_CONFLICT',
    },
    {
      id: 'file-and-folder-entry',
      description: 'a file "source/x" beside a folder entry "source/x/y/"',
      zip: zip(file('source/x'), file('source/x/y/', '', { mode: 0o040755 })),
      expected: 'ZIP_PATH_CONFLICT',
    },
    ...differentialCases(),
  ];
  return cases;
}

/**
 * ZIPs whose local headers, central directory and end record tell different stories: each unpacks safely
 * here, but another unzip tool would see other files than the ones checked.
 */
function differentialCases(): HostileCase[] {
  const model = 'model/B0HOSTILE1.glb';
  const differs = (id: string, description: string, built: Buffer): HostileCase => ({
    id: `differential-${id}`,
    description,
    zip: built,
    expected: 'ZIP_HEADERS_DISAGREE',
  });
  return [
    differs(
      'name',
      'local header names another file',
      zip(file(model, 'glTF', { local: { name: 'model/B0HOSTILE2.glb' } })),
    ),
    differs(
      'method',
      'local header says stored, central says deflated',
      zip(file(model, 'glTF', { local: { method: 0 } })),
    ),
    differs(
      'size',
      'local header declares another size',
      zip(file(model, 'glTF', { local: { uncompressedSize: 3 } })),
    ),
    differs(
      'compressed-size',
      'local header declares another compressed size',
      zip(file(model, 'glTF', { local: { compressedSize: 1 } })),
    ),
    differs(
      'crc',
      'local header declares another CRC-32',
      zip(file(model, 'glTF', { local: { crc: 0xdeadbeef } })),
    ),
    differs(
      'flags',
      'local header says encrypted, central not',
      zip(file(model, 'glTF', { local: { flags: 0x0801 } })),
    ),
    differs(
      'local-only',
      'a local record the central directory does not list',
      zip(file('source/hidden.txt', 'hidden', { omitFromCentral: true }), file(model, 'glTF')),
    ),
    differs(
      'local-only-last',
      'a local record after the last listed one',
      zip(file(model, 'glTF'), file('source/hidden.txt', 'hidden', { omitFromCentral: true })),
    ),
    differs(
      'eocd-count',
      'end record counts fewer entries than the central directory holds',
      buildTestZip([manifest, file(model, 'glTF'), file('source/second.txt')], { declaredEntryCount: 2 }),
    ),
    differs(
      'eocd-disk-count',
      'end record: entries on this disk differ from the total',
      buildTestZip([manifest, file(model, 'glTF')], { declaredDiskEntryCount: 1 }),
    ),
    differs(
      'eocd-size',
      'end record declares a larger central directory',
      buildTestZip([manifest, file(model, 'glTF')], { declaredDirectorySize: 200 }),
    ),
    differs(
      'second-end-record',
      'a second end record hidden in the archive comment',
      buildTestZip([manifest, file(model, 'glTF')], {
        comment: buildTestZip([manifest, file(model, 'glTF')]).subarray(-22),
      }),
    ),
    differs(
      'unicode-path',
      'Info-ZIP Unicode path field naming another file',
      zip(file(model, 'glTF', { unicodePath: 'model/other.glb' })),
    ),
  ];
}
