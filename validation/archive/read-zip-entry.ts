import yauzl from 'yauzl';

/**
 * Reads one small entry of a ZIP by name (e.g. `manifest.yaml`, to learn a delivery's ASIN before
 * validating it), reading at most `maxBytes` however the entry declares itself. Returns undefined when the
 * ZIP cannot be read, the entry is absent, or it is larger than `maxBytes`: the validation proper reports
 * why in each case.
 *
 * @example
 * ```ts
 * const text = (await readZipEntry('delivery.zip', 'manifest.yaml', 64 * 1024))?.toString('utf8');
 * ```
 */
export async function readZipEntry(
  zipPath: string,
  name: string,
  maxBytes: number,
): Promise<Buffer | undefined> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch {
    return undefined;
  }
  try {
    return await new Promise<Buffer | undefined>((resolve) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) {
          zip.readEntry();
          return;
        }
        if (entry.uncompressedSize > maxBytes) {
          resolve(undefined);
          return;
        }
        zip.openReadStream(entry, (error, stream) => {
          if (error) return resolve(undefined);
          const chunks: Buffer[] = [];
          let bytes = 0;
          stream.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > maxBytes) {
              stream.destroy();
              resolve(undefined);
            } else chunks.push(chunk);
          });
          stream.on('error', () => resolve(undefined));
          stream.on('end', () => resolve(Buffer.concat(chunks)));
        });
      });
      zip.once('end', () => resolve(undefined));
      zip.once('error', () => resolve(undefined));
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}
