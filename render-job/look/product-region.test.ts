import { describe, expect, it } from 'vitest';
import { compareLook, mergeRegionStats, productRegionStats } from './product-region.ts';

/** A frame of `pixels` RGBA pixels. */
function frame(pixels: Array<[number, number, number, number]>): Uint8Array {
  return Uint8Array.from(pixels.flat());
}

describe('productRegionStats', () => {
  it('averages the opaque pixels only and leaves the background and edges out', () => {
    const stats = productRegionStats(
      frame([
        [255, 0, 0, 255],
        [0, 0, 255, 255],
        [0, 255, 0, 0],
        [0, 255, 0, 128],
      ]),
    );
    expect(stats.pixels).toBe(2);
    expect(stats.meanRgb).toEqual([0.5, 0, 0.5]);
    expect(stats.brightness).toBeCloseTo(0.5 * 0.2126 + 0.5 * 0.0722, 9);
    expect(stats.chromaticity).toEqual([0.5, 0, 0.5]);
  });

  it('merges frames weighted by their pixels and compares two looks', () => {
    const a = productRegionStats(frame([[255, 255, 255, 255]]));
    const b = productRegionStats(
      frame([
        [0, 0, 0, 255],
        [0, 0, 0, 255],
        [0, 0, 0, 255],
      ]),
    );
    const merged = mergeRegionStats([a, b]);
    expect(merged.pixels).toBe(4);
    expect(merged.brightness).toBeCloseTo(0.25, 9);
    const difference = compareLook(productRegionStats(frame([[102, 102, 102, 255]])), merged);
    expect(difference.brightnessRatio).toBeCloseTo(1.6, 6);
    expect(difference.chromaticityDifference).toBeCloseTo(0, 9);
  });
});
