import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ZipFile } from 'yazl';
import { CLIENT_ERROR_CODES, ClientError } from './errors.ts';

/** Options of {@link packDirectory}. */
export interface PackDirectoryOptions {
  /** Deflate level, 0–9. Default 6 (zlib's default), a fair trade of size against time. */
  compressionLevel?: number;
}

/** Defaults of {@link PackDirectoryOptions}. */
export const PACK_DIRECTORY_DEFAULTS: Required<PackDirectoryOptions> = { compressionLevel: 6 };

/** A packed delivery: the ZIP bytes, their sha256 and the entries in the order they were written. */
export interface PackedDirectory {
  zip: Buffer;
  sha256: string;
  entries: string[];
}

/**
 * Every entry carries this time, so the same folder packs to the same bytes on any machine. It is
 * built from local-time fields because the DOS timestamp in a ZIP is local time: the encoded fields are
 * 1980-01-01 00:00 whatever the time zone.
 */
function fixedTimestamp(): Date {
  return new Date(1980, 0, 1, 0, 0, 0);
}

/** Regular file mode stored for every entry, whatever the file system said. */
const FILE_MODE = 0o100644;

async function listFiles(root: string, dir: string, out: string[]): Promise<void> {
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    // Editor and OS droppings (.DS_Store, .git) are never part of a delivery.
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const stats = await lstat(path);
    if (stats.isSymbolicLink()) {
      throw new ClientError(
        CLIENT_ERROR_CODES.deliveryInvalid,
        `${relative(root, path)} is a symbolic link; copy the file into the delivery folder instead`,
      );
    }
    if (stats.isDirectory()) await listFiles(root, path, out);
    else if (stats.isFile()) out.push(relative(root, path).split(sep).join('/'));
  }
}

/** Sorts ZIP entry names by their UTF-8 bytes, so the order does not depend on the locale. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Packs the files under `dir` into a deterministic ZIP: entries sorted by name, fixed timestamps and
 * modes, no extra time fields, hidden files left out. The same folder content always gives the same
 * bytes and so the same sha256, which is what the AssetSubmission pins.
 *
 * Caveats: symbolic links are refused rather than followed (a link could pull in files from outside
 * the delivery); empty folders are not stored.
 *
 * @example
 * ```ts
 * const { zip, sha256 } = await packDirectory('examples/deliveries/B0CHAIR001');
 * ```
 */
export async function packDirectory(
  dir: string,
  options: PackDirectoryOptions = {},
): Promise<PackedDirectory> {
  const { compressionLevel } = { ...PACK_DIRECTORY_DEFAULTS, ...options };
  let rootStats: Awaited<ReturnType<typeof lstat>>;
  try {
    rootStats = await lstat(dir);
  } catch {
    throw new ClientError(
      CLIENT_ERROR_CODES.deliveryInvalid,
      `${dir} does not exist; pass the delivery folder`,
    );
  }
  if (!rootStats.isDirectory()) {
    throw new ClientError(
      CLIENT_ERROR_CODES.deliveryInvalid,
      `${dir} is not a folder; pass the delivery folder`,
    );
  }
  const entries: string[] = [];
  await listFiles(dir, dir, entries);
  entries.sort(byteOrder);
  if (entries.length === 0) {
    throw new ClientError(CLIENT_ERROR_CODES.deliveryInvalid, `${dir} holds no files to pack`);
  }
  const zipFile = new ZipFile();
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    zipFile.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zipFile.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zipFile.outputStream.on('error', reject);
  });
  for (const entry of entries) {
    const data = await readFile(join(dir, ...entry.split('/')));
    zipFile.addBuffer(data, entry, {
      mtime: fixedTimestamp(),
      mode: FILE_MODE,
      compress: compressionLevel > 0,
      ...(compressionLevel > 0 ? { compressionLevel } : {}),
      forceDosTimestamp: true,
    });
  }
  zipFile.end();
  const zip = await finished;
  return { zip, sha256: sha256Hex(zip), entries };
}

/** Hex sha256 of `data`. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
