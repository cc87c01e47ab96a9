import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type yauzl from 'yauzl';
import { type Finding, finding } from '../findings.ts';
import { decodeEntryName } from './check-entry-name.ts';

const SIG_LOCAL = 0x04034b50;
const SIG_DESCRIPTOR = 0x08074b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const EOCD_BYTES = 22;
const MAX_COMMENT = 0xffff;
const LOCAL_BYTES = 30;
const CENTRAL_BYTES = 46;
const ZIP64_EXTRA = 0x0001;
const UNICODE_PATH_EXTRA = 0x7075;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
/** Past this many disagreements the archive is rejected anyway; more would only lengthen the report. */
const MAX_FINDINGS = 10;

/** What {@link checkZipConsistency} needs from the central directory yauzl read. */
export interface CentralView {
  /** Every central record, rejected ones included. */
  entries: yauzl.Entry[];
  entryCount: number;
  centralDirectoryOffset: number;
}

/**
 * Rejects ZIPs whose two views disagree: the central directory (what SHAZAM reads) and the local headers
 * and end record (what streaming unzippers, and unzippers that trust other fields, read). Each would be a
 * way to show QA one set of files and a customer's tool another. Checked: every central record's local
 * header (signature, name bytes, method, encryption and UTF-8 flags, CRC and sizes, or its data descriptor),
 * Info-ZIP Unicode path fields that name another file, local records the central directory does not list
 * (bytes before, between or after the records), and the end record (exactly one, at the very end, its
 * counts and sizes equal to the central directory it points at).
 *
 * Guarantees: reads only headers (one 64 KiB tail, then 30 bytes + name + extra per entry), so memory is
 * independent of the archive's size. Returns `ZIP_HEADERS_DISAGREE` findings, at most 10.
 */
export async function checkZipConsistency(zipPath: string, view: CentralView): Promise<Finding[]> {
  const handle = await open(zipPath, 'r');
  try {
    const findings: Finding[] = [];
    const size = (await handle.stat()).size;
    const end = await readEnd(handle, size, view, findings);
    await checkLocalRecords(handle, view, end?.directoryStart ?? view.centralDirectoryOffset, findings);
    return findings.slice(0, MAX_FINDINGS);
  } finally {
    await handle.close();
  }
}

function disagree(message: string, file?: string): Finding {
  return finding('ZIP_HEADERS_DISAGREE', message, file === undefined ? undefined : { file });
}

async function read(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(Math.max(length, 0));
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
  return buffer.subarray(0, bytesRead);
}

async function readEnd(
  handle: FileHandle,
  size: number,
  view: CentralView,
  findings: Finding[],
): Promise<{ directoryStart: number } | undefined> {
  const tailStart = Math.max(0, size - EOCD_BYTES - MAX_COMMENT);
  const tail = await read(handle, tailStart, size - tailStart);
  const candidates: number[] = [];
  for (let index = tail.length - EOCD_BYTES; index >= 0; index--) {
    if (tail.readUInt32LE(index) === SIG_EOCD) candidates.push(index);
  }
  const exact = candidates.filter(
    (index) => index + EOCD_BYTES + tail.readUInt16LE(index + 20) === tail.length,
  );
  if (exact.length !== 1) {
    findings.push(
      disagree(
        exact.length === 0
          ? 'The ZIP has bytes after its end record (or an end record whose comment length is wrong); tools disagree on where it ends.'
          : 'The ZIP has more than one end record (one hidden in the comment); tools disagree on which to read.',
      ),
    );
    return undefined;
  }
  const at = exact[0]!;
  const eocd = tail.subarray(at, at + EOCD_BYTES);
  const eocdOffset = tailStart + at;
  let diskEntries = eocd.readUInt16LE(8);
  let totalEntries = eocd.readUInt16LE(10);
  let directorySize = eocd.readUInt32LE(12);
  let directoryOffset = eocd.readUInt32LE(16);
  let directoryEnd = eocdOffset;
  if (eocd.readUInt16LE(4) !== 0 || eocd.readUInt16LE(6) !== 0) {
    findings.push(
      disagree('The end record names another disk: a split ZIP, read differently by every tool.'),
    );
  }
  const locatorAt = eocdOffset - 20;
  if (locatorAt >= 0) {
    const locator = await read(handle, locatorAt, 20);
    if (locator.length === 20 && locator.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
      const recordOffset = Number(locator.readBigUInt64LE(8));
      const record = await read(handle, recordOffset, 56);
      if (record.length < 56 || record.readUInt32LE(0) !== SIG_ZIP64_EOCD) {
        findings.push(disagree('The ZIP64 end record is missing where its locator points.'));
        return undefined;
      }
      diskEntries = Number(record.readBigUInt64LE(24));
      totalEntries = Number(record.readBigUInt64LE(32));
      directorySize = Number(record.readBigUInt64LE(40));
      directoryOffset = Number(record.readBigUInt64LE(48));
      directoryEnd = recordOffset;
    }
  }
  if (diskEntries !== totalEntries) {
    findings.push(
      disagree(`The end record counts ${diskEntries} entries on this disk but ${totalEntries} in all.`),
    );
  }
  if (totalEntries !== view.entryCount || directoryOffset !== view.centralDirectoryOffset) {
    findings.push(disagree('Two end records in the ZIP describe different central directories.'));
  }
  const listed = view.entries.reduce(
    (sum, entry) =>
      sum + CENTRAL_BYTES + entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength,
    0,
  );
  if (listed !== directorySize || directoryOffset + directorySize !== directoryEnd) {
    findings.push(
      disagree(
        `The end record counts ${totalEntries} entries in ${directorySize} bytes, but the central directory holds ${listed} bytes of records before the ${directoryEnd - directoryOffset} bytes up to the end record: some entries are visible to one tool and not another.`,
      ),
    );
  }
  return { directoryStart: directoryOffset };
}

async function checkLocalRecords(
  handle: FileHandle,
  view: CentralView,
  directoryStart: number,
  findings: Finding[],
): Promise<void> {
  const sorted = [...view.entries].sort(
    (a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader,
  );
  let cursor = 0;
  let previous: number | undefined;
  for (const entry of sorted) {
    if (findings.length >= MAX_FINDINGS) return;
    const offset = entry.relativeOffsetOfLocalHeader;
    if (offset === previous) continue; // Overlapping entries have their own finding.
    previous = offset;
    const name = decodeEntryName(entry.fileName as unknown as Buffer) ?? '?';
    if (offset > cursor) {
      findings.push(
        disagree(
          `Bytes ${cursor}–${offset} of the ZIP lie between its records but are not listed in the central directory (a hidden entry?).`,
        ),
      );
    }
    const header = await read(handle, offset, LOCAL_BYTES);
    if (header.length < LOCAL_BYTES || header.readUInt32LE(0) !== SIG_LOCAL) {
      findings.push(
        disagree(
          `The central directory points "${name}" at offset ${offset}, where no local header is.`,
          name,
        ),
      );
      return;
    }
    const nameLength = header.readUInt16LE(26);
    const extraLength = header.readUInt16LE(28);
    const rest = await read(handle, offset + LOCAL_BYTES, nameLength + extraLength);
    const localName = rest.subarray(0, nameLength);
    const localExtra = rest.subarray(nameLength);
    const problems = compareHeader(entry, header, localName, localExtra);
    let dataEnd = offset + LOCAL_BYTES + nameLength + extraLength + entry.compressedSize;
    if ((entry.generalPurposeBitFlag & FLAG_DESCRIPTOR) !== 0) {
      const zip64 = localExtraField(localExtra, ZIP64_EXTRA) !== undefined;
      const descriptor = await read(handle, dataEnd, zip64 ? 24 : 16);
      const signed = descriptor.length >= 4 && descriptor.readUInt32LE(0) === SIG_DESCRIPTOR;
      const body = descriptor.subarray(signed ? 4 : 0);
      const sizeBytes = zip64 ? 8 : 4;
      if (body.length >= 4 + 2 * sizeBytes) {
        const crc = body.readUInt32LE(0);
        const compressed = zip64 ? Number(body.readBigUInt64LE(4)) : body.readUInt32LE(4);
        const uncompressed = zip64 ? Number(body.readBigUInt64LE(12)) : body.readUInt32LE(8);
        if (crc !== entry.crc32) problems.push('CRC-32 (data descriptor)');
        if (compressed !== entry.compressedSize) problems.push('compressed size (data descriptor)');
        if (uncompressed !== entry.uncompressedSize) problems.push('size (data descriptor)');
        dataEnd += (signed ? 4 : 0) + 4 + 2 * sizeBytes;
      } else {
        problems.push('data descriptor (missing)');
      }
    }
    if (problems.length > 0) {
      findings.push(
        disagree(
          `The local header of "${name}" disagrees with the central directory on its ${problems.join(', ')}.`,
          name,
        ),
      );
    }
    cursor = Math.max(cursor, dataEnd);
  }
  if (cursor < directoryStart && findings.length < MAX_FINDINGS) {
    findings.push(
      disagree(
        `Bytes ${cursor}–${directoryStart} of the ZIP lie before the central directory but belong to no listed entry (a hidden entry?).`,
      ),
    );
  }
}

function compareHeader(entry: yauzl.Entry, header: Buffer, localName: Buffer, localExtra: Buffer): string[] {
  const problems: string[] = [];
  const centralName = entry.fileName as unknown as Buffer;
  if (!localName.equals(centralName)) problems.push(`name ("${printableBytes(localName)}")`);
  const flags = header.readUInt16LE(6);
  if ((flags & FLAG_ENCRYPTED) !== (entry.generalPurposeBitFlag & FLAG_ENCRYPTED))
    problems.push('encryption flag');
  if ((flags & FLAG_UTF8) !== (entry.generalPurposeBitFlag & FLAG_UTF8)) problems.push('UTF-8 flag');
  if ((flags & FLAG_DESCRIPTOR) !== (entry.generalPurposeBitFlag & FLAG_DESCRIPTOR))
    problems.push('data-descriptor flag');
  if (header.readUInt16LE(8) !== entry.compressionMethod) {
    problems.push(`compression method (${header.readUInt16LE(8)} vs ${entry.compressionMethod})`);
  }
  const crc = header.readUInt32LE(14);
  let compressed = header.readUInt32LE(18);
  let uncompressed = header.readUInt32LE(22);
  const zip64 = localExtraField(localExtra, ZIP64_EXTRA);
  if (zip64) {
    let at = 0;
    if (uncompressed === 0xffffffff && zip64.length >= at + 8) {
      uncompressed = Number(zip64.readBigUInt64LE(at));
      at += 8;
    }
    if (compressed === 0xffffffff && zip64.length >= at + 8) compressed = Number(zip64.readBigUInt64LE(at));
  }
  const deferred = (entry.generalPurposeBitFlag & FLAG_DESCRIPTOR) !== 0;
  // With a data descriptor the local fields may be zero; when they are not, they must still agree.
  if (!(deferred && crc === 0) && crc !== entry.crc32) problems.push('CRC-32');
  if (!(deferred && compressed === 0) && compressed !== entry.compressedSize) {
    problems.push(`compressed size (${compressed} vs ${entry.compressedSize})`);
  }
  if (!(deferred && uncompressed === 0) && uncompressed !== entry.uncompressedSize) {
    problems.push(`size (${uncompressed} vs ${entry.uncompressedSize})`);
  }
  const centralName8 = decodeEntryName(centralName);
  const unicode = [
    localExtraField(localExtra, UNICODE_PATH_EXTRA),
    entry.extraFields.find((field) => field.id === UNICODE_PATH_EXTRA)?.data,
  ];
  for (const [index, field] of unicode.entries()) {
    if (!field) continue;
    const unicodeName = field.length > 5 ? decodeEntryName(field.subarray(5)) : undefined;
    if (unicodeName === undefined || unicodeName !== centralName8) {
      problems.push(
        `name: its ${index === 0 ? 'local' : 'central'} Unicode path field says "${printableBytes(field.subarray(5))}"`,
      );
    }
  }
  return problems;
}

/** The data of the first extra field with this id in a raw extra block, or undefined. */
function localExtraField(extra: Buffer, id: number): Buffer | undefined {
  let at = 0;
  while (at + 4 <= extra.length) {
    const fieldId = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (fieldId === id) return extra.subarray(at + 4, Math.min(at + 4 + length, extra.length));
    at += 4 + length;
  }
  return undefined;
}

function printableBytes(bytes: Buffer): string {
  let out = '';
  for (const char of bytes.subarray(0, 80).toString('utf8')) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char;
  }
  return out;
}
