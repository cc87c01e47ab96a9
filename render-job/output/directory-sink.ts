import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { RenderError } from '../errors.ts';
import type { OutputSink } from './output-sink.ts';

/**
 * An {@link OutputSink} writing into a local directory (created as needed).
 *
 * @example
 * ```ts
 * await directorySink('out').write('360/000.webp', bytes, 'image/webp');
 * ```
 */
export function directorySink(directory: string): OutputSink {
  const root = resolve(directory);
  return {
    locate: (path) => join(root, path),
    async write(path, data) {
      const target = join(root, path);
      try {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, data);
      } catch (error) {
        throw new RenderError(
          'SHAZAM_RENDER_OUTPUT_FAILED',
          `cannot write ${target}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}
