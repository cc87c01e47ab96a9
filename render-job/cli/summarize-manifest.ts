import type { RenderManifest } from '../../lib/contracts/render-manifest.ts';

/**
 * The human summary of a render: the same data as the manifest and the JSON log lines, in a few lines.
 *
 * @example
 * ```ts
 * io.stdout(summarizeManifest(manifest, 's3://bucket/assets/…/renders/'));
 * ```
 */
export function summarizeManifest(manifest: RenderManifest, where: string): string {
  const { settings, timings, adapter } = manifest;
  const lines = [
    `Rendered ${settings.frames} frames of ${settings.resolution}×${settings.resolution} into ${where}`,
    `  adapter   ${adapter.description || adapter.device} (${adapter.backend}${adapter.software ? ', software' : ''})`,
    `  model     ${manifest.scene.triangles} triangles, ${manifest.scene.materials} materials, ${manifest.scene.textures} textures`,
    `  time      ${timings.renderSeconds} s for the frames (${timings.framesPerSecond} frames/s; ` +
      `render ${timings.meanFrameRenderMs} ms + encode ${timings.meanFrameEncodeMs} ms per frame)`,
  ];
  if (manifest.fillCheck) {
    lines.push(
      `  fill      min ${(manifest.fillCheck.min * 100).toFixed(1)}% of the frame, ` +
        `${manifest.fillCheck.passed ? 'meets' : 'MISSES'} the required ${(manifest.fillCheck.required * 100).toFixed(0)}%`,
    );
  }
  return lines.join('\n');
}
