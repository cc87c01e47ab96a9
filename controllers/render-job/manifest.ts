/**
 * What the RenderJob status takes from the renderer's `manifest.json` (`RenderManifest`, written last by
 * `shazam render-job`): frame count, device and timings. Only those fields are read, so the renderer may
 * add others without an operator change.
 */

/** The fields of a render manifest the operator reports. */
export interface RenderSummary {
  framesRendered: number;
  device: { name: string; backend: string; software: boolean };
  renderSeconds: number | undefined;
  startedAt: string | undefined;
  completedAt: string | undefined;
}

/** Thrown when a manifest lacks what the status needs; `code` is stable. */
export class RenderManifestError extends Error {
  override name = 'RenderManifestError';
  readonly code = 'RENDER_MANIFEST_INVALID';
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Reads a {@link RenderSummary} from a parsed manifest. The frame count comes from `frameCount`, or the
 * length of `frames`; the device from `device` (`name`/`adapter`, `backend`, `software`/`fallback`).
 * Throws {@link RenderManifestError} when no frame count can be found.
 */
export function readRenderSummary(value: unknown): RenderSummary {
  const manifest = record(value);
  const frames = manifest.frames;
  const frameCount =
    typeof manifest.frameCount === 'number'
      ? manifest.frameCount
      : Array.isArray(frames)
        ? frames.length
        : typeof frames === 'number'
          ? frames
          : undefined;
  if (frameCount === undefined || !Number.isInteger(frameCount) || frameCount < 0) {
    throw new RenderManifestError(
      'The render manifest has no frame count (frameCount or frames[]); re-run the render.',
    );
  }
  const device = record(manifest.device ?? manifest.adapter);
  const timings = record(manifest.timings);
  const seconds =
    typeof timings.renderSeconds === 'number'
      ? timings.renderSeconds
      : typeof timings.totalMs === 'number'
        ? timings.totalMs / 1000
        : undefined;
  return {
    framesRendered: frameCount,
    device: {
      name:
        optionalString(device.name) ??
        optionalString(device.description) ??
        optionalString(device.vendor) ??
        'unknown',
      backend: optionalString(device.backend) ?? 'unknown',
      software: device.software === true || device.fallback === true || device.isFallbackAdapter === true,
    },
    renderSeconds: seconds,
    startedAt: optionalString(timings.startedAt) ?? optionalString(manifest.startedAt),
    completedAt: optionalString(timings.completedAt) ?? optionalString(manifest.completedAt),
  };
}
