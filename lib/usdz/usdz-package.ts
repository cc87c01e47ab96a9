/** One entry of a USDZ package, read from its ZIP local file header. */
export interface UsdzEntry {
  name: string;
  /** ZIP compression method (0 = stored). */
  method: number;
  /** Offset of the entry's data from the start of the package. */
  dataOffset: number;
  /** Bytes of data (compressed and uncompressed sizes are equal for a stored entry). */
  size: number;
}

/** Thrown when bytes are not a readable ZIP; `code` is stable. */
export class UsdzPackageError extends Error {
  override name = 'UsdzPackageError';
  readonly code = 'USDZ_NOT_A_ZIP';
}

const LOCAL_HEADER = 0x04034b50;
const USD_LAYER = /\.(usda|usdc|usd)$/i;
const ALLOWED_ENTRY = /\.(usda|usdc|usd|png|jpe?g|m4a|mp3|wav)$/i;

/**
 * Lists the entries of a USDZ package by walking its local file headers front to back, as AR Quick
 * Look reads it. Assumes entries carry their sizes in the local header (no data descriptor), as USDZ
 * requires for stored entries.
 */
export function listUsdzEntries(bytes: Uint8Array): UsdzEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: UsdzEntry[] = [];
  let offset = 0;
  while (offset + 30 <= bytes.byteLength && view.getUint32(offset, true) === LOCAL_HEADER) {
    const flags = view.getUint16(offset + 6, true);
    const method = view.getUint16(offset + 8, true);
    const compressedSize = view.getUint32(offset + 18, true);
    const nameLength = view.getUint16(offset + 26, true);
    const extraLength = view.getUint16(offset + 28, true);
    if (flags & 0x8) throw new UsdzPackageError('a USDZ entry uses a data descriptor');
    const nameStart = offset + 30;
    const dataOffset = nameStart + nameLength + extraLength;
    if (dataOffset + compressedSize > bytes.byteLength)
      throw new UsdzPackageError('a USDZ entry runs past the end');
    const name = new TextDecoder().decode(bytes.subarray(nameStart, nameStart + nameLength));
    entries.push({ name, method, dataOffset, size: compressedSize });
    offset = dataOffset + compressedSize;
  }
  if (entries.length === 0) throw new UsdzPackageError('no ZIP local file header at the start');
  return entries;
}

/**
 * The rules of the USDZ container (OpenUSD "usdz file format specification"): a ZIP whose entries are
 * stored uncompressed, whose data starts on a 64-byte boundary, whose first entry is the root USD layer,
 * and which holds only USD layers, PNG/JPEG images and audio. Returns one sentence per broken rule
 * (empty when the package is valid).
 */
export function checkUsdzPackage(bytes: Uint8Array): string[] {
  let entries: UsdzEntry[];
  try {
    entries = listUsdzEntries(bytes);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  if (!USD_LAYER.test(entries[0]?.name ?? ''))
    problems.push(`the first entry ${entries[0]?.name} is not a USD layer`);
  for (const entry of entries) {
    if (entry.method !== 0) problems.push(`${entry.name} is compressed (method ${entry.method})`);
    if (entry.dataOffset % 64 !== 0)
      problems.push(`${entry.name} data starts at ${entry.dataOffset}, not 64-byte aligned`);
    if (!ALLOWED_ENTRY.test(entry.name)) problems.push(`${entry.name} is not a file type USDZ allows`);
  }
  return problems;
}
