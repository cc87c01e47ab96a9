import { crc32, deflateRawSync } from 'node:zlib';

/**
 * One entry of a hand-built test ZIP. Every header field a hostile archive plays with can be set, which
 * no ordinary ZIP writer allows (they refuse `../` names, lie about nothing, and never encrypt).
 */
export interface TestZipEntry {
  /** Entry name: a string (UTF-8) or raw bytes. */
  name: string | Uint8Array;
  data?: Uint8Array;
  /** 0 store, 8 deflate (default), or any other value written as is with the data stored. */
  method?: number;
  /** General purpose flags (bit 0 encrypted, bit 11 UTF-8). */
  flags?: number;
  /** Host system in "version made by" (3 = Unix, default). */
  madeBy?: number;
  /** Unix mode written to the external attributes (default 0o100644, a regular file). */
  mode?: number;
  /** Raw external attributes, overriding `mode`. */
  externalAttributes?: number;
  /** Sizes and CRC to declare instead of the true ones. */
  declaredUncompressedSize?: number;
  declaredCompressedSize?: number;
  declaredCrc?: number;
  /** Declares this uncompressed size through a ZIP64 extra field (0xffffffff in the header). */
  zip64UncompressedSize?: bigint;
  /** Points the central record at the local header of entry N instead of its own (overlap bombs). */
  reuseLocalHeaderOf?: number;
  /** Local-header fields written instead of the central directory's (parser differentials). */
  local?: {
    name?: string | Uint8Array;
    method?: number;
    flags?: number;
    crc?: number;
    compressedSize?: number;
    uncompressedSize?: number;
  };
  /** Adds an Info-ZIP Unicode path extra field (0x7075) naming this, to both headers. */
  unicodePath?: string;
  /** Writes the local record only: the central directory does not list the entry. */
  omitFromCentral?: boolean;
}

/** Options of {@link buildTestZip}. */
export interface TestZipOptions {
  /** Entry count written in the end record instead of the true one. */
  declaredEntryCount?: number;
  /** Central directory size written in the end record instead of the true one. */
  declaredDirectorySize?: number;
  /** Central directory offset written in the end record instead of the true one. */
  declaredDirectoryOffset?: number;
  /** "Entries on this disk" written in the end record instead of the total. */
  declaredDiskEntryCount?: number;
  /** The archive comment, written after the end record with its length. */
  comment?: Uint8Array;
}

/** Builds a ZIP (possibly hostile) from entries, in memory. For tests and the bench only. */
export function buildTestZip(entries: TestZipEntry[], options: TestZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const offsets: number[] = [];
  const records: Buffer[] = [];
  let offset = 0;
  const prepared = entries.map((entry) => {
    const name = typeof entry.name === 'string' ? Buffer.from(entry.name, 'utf8') : Buffer.from(entry.name);
    const data = Buffer.from(entry.data ?? new Uint8Array());
    const method = entry.method ?? 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = entry.declaredCrc ?? crc32(data);
    const zip64 = entry.zip64UncompressedSize !== undefined;
    const uncompressed = zip64 ? 0xffffffff : (entry.declaredUncompressedSize ?? data.length);
    const compressed = entry.declaredCompressedSize ?? body.length;
    let extra = Buffer.alloc(0);
    if (zip64) {
      extra = Buffer.alloc(12);
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(8, 2);
      extra.writeBigUInt64LE(entry.zip64UncompressedSize!, 4);
    }
    if (entry.unicodePath !== undefined) {
      const unicode = Buffer.from(entry.unicodePath, 'utf8');
      const field = Buffer.alloc(9);
      field.writeUInt16LE(0x7075, 0);
      field.writeUInt16LE(5 + unicode.length, 2);
      field.writeUInt8(1, 4);
      field.writeUInt32LE(crc32(name) >>> 0, 5);
      extra = Buffer.concat([extra, field, unicode]);
    }
    return { entry, name, body, method, crc, uncompressed, compressed, extra };
  });
  for (const item of prepared) {
    const local = item.entry.local ?? {};
    const localName =
      local.name === undefined
        ? item.name
        : typeof local.name === 'string'
          ? Buffer.from(local.name, 'utf8')
          : Buffer.from(local.name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(zipVersion(item), 4);
    header.writeUInt16LE(local.flags ?? item.entry.flags ?? 0x0800, 6);
    header.writeUInt16LE(local.method ?? item.method, 8);
    header.writeUInt32LE(0, 10);
    header.writeUInt32LE((local.crc ?? item.crc) >>> 0, 14);
    header.writeUInt32LE((local.compressedSize ?? item.compressed) >>> 0, 18);
    header.writeUInt32LE((local.uncompressedSize ?? item.uncompressed) >>> 0, 22);
    header.writeUInt16LE(localName.length, 26);
    header.writeUInt16LE(item.extra.length, 28);
    offsets.push(offset);
    const record = Buffer.concat([header, localName, item.extra, item.body]);
    locals.push(record);
    offset += record.length;
  }
  prepared.forEach((item, index) => {
    if (item.entry.omitFromCentral) return;
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(((item.entry.madeBy ?? 3) << 8) | 20, 4);
    record.writeUInt16LE(zipVersion(item), 6);
    record.writeUInt16LE(item.entry.flags ?? 0x0800, 8);
    record.writeUInt16LE(item.method, 10);
    record.writeUInt32LE(0, 12);
    record.writeUInt32LE(item.crc >>> 0, 16);
    record.writeUInt32LE(item.compressed >>> 0, 20);
    record.writeUInt32LE(item.uncompressed >>> 0, 24);
    record.writeUInt16LE(item.name.length, 28);
    record.writeUInt16LE(item.extra.length, 30);
    record.writeUInt16LE(0, 32);
    record.writeUInt16LE(0, 34);
    record.writeUInt16LE(0, 36);
    const attributes = item.entry.externalAttributes ?? ((item.entry.mode ?? 0o100644) << 16) >>> 0;
    record.writeUInt32LE(attributes >>> 0, 38);
    const target = item.entry.reuseLocalHeaderOf ?? index;
    record.writeUInt32LE(offsets[target]!, 42);
    records.push(Buffer.concat([record, item.name, item.extra]));
  });
  const directory = Buffer.concat(records);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const count = options.declaredEntryCount ?? records.length;
  end.writeUInt16LE(options.declaredDiskEntryCount ?? count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(options.declaredDirectorySize ?? directory.length, 12);
  end.writeUInt32LE(options.declaredDirectoryOffset ?? offset, 16);
  const comment = Buffer.from(options.comment ?? new Uint8Array());
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...locals, directory, end, comment]);
}

function zipVersion(item: { extra: Buffer }): number {
  return item.extra.length > 0 ? 45 : 20;
}
