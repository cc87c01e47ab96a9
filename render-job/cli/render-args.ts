import type { OptionSpec, ParsedArgs } from '../../lib/cli/args.ts';
import { flagOption, stringOption } from '../../lib/cli/args.ts';
import { UsageError } from '../../lib/cli/command.ts';
import type { GpuBackend } from '../gpu/create-gpu-context.ts';
import type { RenderTurntableOptions } from '../render-turntable.ts';
import type { FrameFormat } from '../turntable-settings.ts';

/** The options `shazam render` and `shazam render-job` share. */
export const RENDER_OPTION_SPEC: OptionSpec = {
  frames: { type: 'string' },
  resolution: { type: 'string' },
  elevation: { type: 'string' },
  background: { type: 'string' },
  preset: { type: 'string' },
  formats: { type: 'string' },
  msaa: { type: 'string' },
  fill: { type: 'string' },
  backend: { type: 'string' },
  'require-gpu': { type: 'boolean' },
  'allow-software': { type: 'boolean' },
  verbose: { type: 'boolean' },
};

/** Usage lines of {@link RENDER_OPTION_SPEC}. */
export const RENDER_OPTION_USAGE = `  --frames <n>            frames around the turn, 1–720 (36)
  --resolution <px>       square frame size, 16–4096 (1024)
  --elevation <deg|auto>  camera elevation, −89…89 (auto: 15, raised up to 30 so a tall product's top shows)
  --background <colour>   #rrggbb or transparent (#ffffff)
  --preset amazon-360     72 frames, 2000 px, white, 10–30°, fill ≥ 85% checked; replaces
                          --frames, --resolution and --background
  --formats webp,png      frame formats (webp); the poster is always WebP
  --msaa 1|4              multisampling (4)
  --fill <0.5–0.98>       share of the frame the product fills where largest (0.9)
  --backend auto|vulkan|opengles   Dawn backend (auto: Vulkan, then OpenGL ES)
  --require-gpu           fail when only a software adapter exists (the default)
  --allow-software        accept a software adapter (llvmpipe) when no GPU is found
  --verbose               log every frame`;

/** Turns parsed CLI options into {@link RenderTurntableOptions}; UsageError on malformed values. */
export function renderOptionsFromArgs(args: ParsedArgs): RenderTurntableOptions {
  if (flagOption(args, 'require-gpu') && flagOption(args, 'allow-software')) {
    throw new UsageError('--require-gpu and --allow-software contradict each other; pass one');
  }
  const options: RenderTurntableOptions = { allowSoftware: flagOption(args, 'allow-software') };
  const frames = numberOption(args, 'frames');
  if (frames !== undefined) options.frames = frames;
  const resolution = numberOption(args, 'resolution');
  if (resolution !== undefined) options.resolution = resolution;
  if (stringOption(args, 'elevation')?.trim().toLowerCase() === 'auto') options.elevationDeg = 'auto';
  else {
    const elevation = numberOption(args, 'elevation');
    if (elevation !== undefined) options.elevationDeg = elevation;
  }
  const fill = numberOption(args, 'fill');
  if (fill !== undefined) options.fill = fill;
  const background = stringOption(args, 'background');
  if (background !== undefined) options.background = background;
  const preset = stringOption(args, 'preset');
  if (preset !== undefined) {
    if (preset !== 'amazon-360') throw new UsageError(`--preset must be amazon-360, got "${preset}"`);
    options.preset = preset;
  }
  const formats = stringOption(args, 'formats');
  if (formats !== undefined) {
    const list = formats.split(',').map((format) => format.trim().toLowerCase());
    for (const format of list) {
      if (format !== 'webp' && format !== 'png') {
        throw new UsageError(`--formats takes webp and/or png separated by commas, got "${formats}"`);
      }
    }
    options.formats = list as FrameFormat[];
  }
  const msaa = stringOption(args, 'msaa');
  if (msaa !== undefined) {
    if (msaa !== '1' && msaa !== '4') throw new UsageError(`--msaa must be 1 or 4, got "${msaa}"`);
    options.msaaSamples = msaa === '1' ? 1 : 4;
  }
  const backend = stringOption(args, 'backend');
  if (backend !== undefined) {
    if (!['auto', 'vulkan', 'opengles'].includes(backend)) {
      throw new UsageError(`--backend must be auto, vulkan or opengles, got "${backend}"`);
    }
    options.backend = backend as GpuBackend;
  }
  return options;
}

function numberOption(args: ParsedArgs, name: string): number | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number))
    throw new UsageError(`--${name} must be a number, got "${value}"`);
  return number;
}
