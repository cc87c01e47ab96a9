import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseCommandArgs, requiredOption } from '../../lib/cli/args.ts';
import type { CliCommand, CliIO } from '../../lib/cli/command.ts';
import { UsageError } from '../../lib/cli/command.ts';
import { RenderError } from '../errors.ts';
import { directorySink } from '../output/directory-sink.ts';
import { renderTurntable } from '../render-turntable.ts';
import { jsonLineLogger } from './json-logger.ts';
import { RENDER_OPTION_SPEC, RENDER_OPTION_USAGE, renderOptionsFromArgs } from './render-args.ts';
import { summarizeManifest } from './summarize-manifest.ts';

const USAGE = `usage: shazam render <model.glb|model.gltf> --out <dir> [options]

Renders a 360° turntable of a local model into <dir>: 360/NNN.webp, poster.webp, descriptors.json and
manifest.json (written last). Progress is logged as JSON lines on stderr; a summary goes to stdout.

options:
  --out <dir>             output folder (created)
${RENDER_OPTION_USAGE}

exit status: 0 rendered; 2 bad usage or options; 3 model not found; 4 model unreadable;
5 unsupported glTF extension; 6 no GPU (or only software without --allow-software);
7 out of memory; 8 GPU device failure; 9 output not writable.`;

/** `shazam render`: a turntable of a local model into a local folder. */
export const command: CliCommand = {
  summary: 'render a 360° turntable of a local GLB into a folder',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseCommandArgs(argv, { ...RENDER_OPTION_SPEC, out: { type: 'string' } });
    const [model, ...extra] = args.positionals;
    if (!model) throw new UsageError('the model file is required');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const out = requiredOption(args, 'out');
    const options = renderOptionsFromArgs(args);
    const log = jsonLineLogger(io.stderr, args.values.verbose === true);
    const path = resolve(io.cwd, model);
    try {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch (error) {
        throw new RenderError(
          'SHAZAM_RENDER_SOURCE_NOT_FOUND',
          `cannot read ${path}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      const manifest = await renderTurntable(
        { bytes, uri: path, path },
        directorySink(resolve(io.cwd, out)),
        {
          ...options,
          log,
        },
      );
      io.stdout(`${summarizeManifest(manifest, resolve(io.cwd, out))}\n`);
      return 0;
    } catch (error) {
      if (error instanceof RenderError) {
        log.error({ code: error.code }, error.message);
        io.stderr(`shazam render: ${error.message} (${error.code})\n`);
        return error.exitCode;
      }
      throw error;
    }
  },
};
