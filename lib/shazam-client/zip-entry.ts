import yauzl from 'yauzl';

/**
 * Reads the entry `name` of the ZIP in `zip`, or returns undefined when the ZIP has no such entry.
 * Entries larger than `maxBytes` are refused: a manifest is a few hundred bytes, never megabytes.
 */
export async function readZipEntry(
  zip: Buffer,
  name: string,
  maxBytes = 1024 * 1024,
): Promise<Buffer | undefined> {
  const file = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, opened) =>
      error ? reject(error) : resolve(opened),
    ),
  );
  try {
    return await new Promise<Buffer | undefined>((resolve, reject) => {
      file.on('error', reject);
      file.on('end', () => resolve(undefined));
      file.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) {
          file.readEntry();
          return;
        }
        if (entry.uncompressedSize > maxBytes) {
          reject(new Error(`${name} is ${entry.uncompressedSize} bytes, more than the ${maxBytes} allowed`));
          return;
        }
        file.openReadStream(entry, (error, stream) => {
          if (error) {
            reject(error);
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => resolve(Buffer.concat(chunks)));
          stream.on('error', reject);
        });
      });
      file.readEntry();
    });
  } finally {
    file.close();
  }
}
