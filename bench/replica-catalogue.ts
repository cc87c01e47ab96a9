/**
 * The synthetic catalogue of `npm run bench:search-replica`: published assets as the watch's first list
 * yields them, and each asset's descriptors.json as the renderer writes it.
 */
import { buildDescriptorSet } from '../lib/contracts/descriptors.ts';
import { DESCRIPTOR_DIMS, DESCRIPTOR_VERSION } from '../lib/image-descriptor/compute-descriptor.ts';
import type { PublishedAsset } from '../search-api/catalog/published-asset.ts';

/** Bucket of the synthetic assets. */
export const REPLICA_BUCKET = 'assets';

/** The asset that submission `shop/s<i>` publishes, with `frames` turntable frames. */
export function replicaAsset(i: number, frames: number): PublishedAsset {
  const asin = `B0${i.toString(36).toUpperCase().padStart(8, '0')}`;
  return {
    asin,
    source: `shop/s${i}`,
    version: 1,
    product: {
      title: `modern oak chair ${i}`,
      brand: `brand${i % 500}`,
      tags: ['chair', 'oak'],
      description: '',
    },
    bucket: REPLICA_BUCKET,
    prefix: `assets/${asin}/versions/1/`,
    frameCount: frames,
    descriptorsUri: `s3://${REPLICA_BUCKET}/assets/${asin}/versions/1/descriptors.json`,
    publishedAt: '2026-01-01T00:00:00.000Z',
    resourceVersion: String(i),
  };
}

/** The descriptors.json document of one asset's frames, as the renderer writes it: 4 decimals per number. */
export function descriptorDocument(frames: ReadonlyArray<{ index: number; vector: Float32Array }>) {
  return buildDescriptorSet(
    DESCRIPTOR_VERSION,
    DESCRIPTOR_DIMS,
    frames.map((frame) => ({
      index: frame.index,
      angleDeg: frame.index * 30,
      vector: Array.from(frame.vector, (x) => Math.round(x * 1e4) / 1e4),
    })),
  );
}

/**
 * The least memory a replica's photo index can hold `count` assets in: each frame's descriptor as 8-bit
 * integers plus one 8-bit centre per 12 frames (what `ImageIndex` keeps per product), nothing else.
 */
export function frameFloorBytes(count: number, frames: number, dims = DESCRIPTOR_DIMS): number {
  return count * (frames + Math.ceil(frames / 12)) * dims;
}
