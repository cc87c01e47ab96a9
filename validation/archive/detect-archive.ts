/** Archive and compressed-stream formats recognised inside a delivery. */
export type ArchiveKind = 'zip' | '7z' | 'rar' | 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'tar';

const EXTENSIONS: Record<string, ArchiveKind> = {
  zip: 'zip',
  jar: 'zip',
  '7z': '7z',
  rar: 'rar',
  gz: 'gzip',
  tgz: 'gzip',
  bz2: 'bzip2',
  xz: 'xz',
  zst: 'zstd',
  tar: 'tar',
};

/** The archive kind a file name claims by its extension, if any. */
export function archiveKindOfName(name: string): ArchiveKind | undefined {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return undefined;
  return EXTENSIONS[name.slice(dot + 1).toLowerCase()];
}

const MAGICS: [ArchiveKind, number[]][] = [
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['zip', [0x50, 0x4b, 0x05, 0x06]],
  ['zip', [0x50, 0x4b, 0x07, 0x08]],
  ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['rar', [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]],
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

/**
 * The archive kind of a file from its first bytes (at least 262 for tar), whatever its name says, so an
 * archive renamed to `.bin` is still caught.
 */
export function archiveKindOfMagic(head: Uint8Array): ArchiveKind | undefined {
  for (const [kind, magic] of MAGICS) {
    if (head.length >= magic.length && magic.every((byte, index) => head[index] === byte)) return kind;
  }
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}
