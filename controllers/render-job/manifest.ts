/**
 * What the RenderJob status takes from the renderer's `manifest.json` (`RenderManifest` in
 * lib/contracts/render-manifest.ts, written last by `shazam render-job`).
 */
import type { RenderManifest } from '../../lib/contracts/render-manifest.ts';
import { fillStatus, type RenderFillStatus } from './fill.ts';

/** The fields of a render manifest the operator reports. */
export interface RenderSummary {
  framesRendered: number;
  device: { name: string; backend: string; software: boolean };
  renderSeconds: number;
  framesPerSecond: number;
  startedAt: string;
  completedAt: string;
  /** Paths relative to the output prefix. */
  poster: string;
  descriptors: string;
  /** Folder of the frames relative to the output prefix (ends with `/`), and their first format. */
  framesFolder: string;
  frameFormat: 'webp' | 'png';
  /** The preset's fill check, when the preset has one. */
  fillCheck?: RenderFillStatus;
}

/** Summarises a parsed, validated manifest. Pure. */
export function summarizeManifest(manifest: RenderManifest): RenderSummary {
  const first = manifest.frames[0]?.files;
  const frameFormat = first?.webp !== undefined ? 'webp' : first?.png !== undefined ? 'png' : 'webp';
  const firstPath = first?.[frameFormat] ?? '360/000.webp';
  const slash = firstPath.lastIndexOf('/');
  const adapter = manifest.adapter;
  return {
    framesRendered: manifest.frames.length,
    device: {
      name: adapter.description || adapter.device || adapter.vendor || 'unknown',
      backend: adapter.backend,
      software: adapter.software,
    },
    renderSeconds: manifest.timings.renderSeconds,
    framesPerSecond: manifest.timings.framesPerSecond,
    startedAt: manifest.timings.startedAt,
    completedAt: manifest.timings.completedAt,
    poster: manifest.poster,
    descriptors: manifest.descriptors,
    framesFolder: slash >= 0 ? firstPath.slice(0, slash + 1) : '',
    frameFormat,
    ...(manifest.fillCheck ? { fillCheck: fillStatus(manifest.fillCheck) } : {}),
  };
}
