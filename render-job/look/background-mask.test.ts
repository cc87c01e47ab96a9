import { describe, expect, it } from 'vitest';
import { backgroundMask, maskDifference, maskIoU } from './background-mask.ts';
import { maskedRegionStats } from './product-region.ts';

/** An opaque frame of `pixels` RGB pixels. */
const frame = (pixels: Array<[number, number, number]>) =>
  Uint8Array.from(pixels.flatMap((p) => [...p, 255]));

describe('backgroundMask', () => {
  it.each([
    // each row: the pixel, the tolerance, whether it is product
    [[255, 255, 255], 1, 0],
    [[254, 255, 254], 1, 0],
    [[253, 255, 255], 1, 1],
    [[254, 255, 255], 0, 1],
    [[120, 200, 180], 1, 1],
    [[0, 0, 0], 1, 1],
  ] as Array<[[number, number, number], number, number]>)(
    '%j with tolerance %i → %i',
    (pixel, tolerance, product) => {
      expect(Array.from(backgroundMask(frame([pixel]), [255, 255, 255], tolerance))).toEqual([product]);
    },
  );

  it('tells a product from another background colour', () => {
    expect(
      Array.from(
        backgroundMask(
          frame([
            [32, 32, 32],
            [255, 255, 255],
          ]),
          [32, 32, 32],
        ),
      ),
    ).toEqual([0, 1]);
  });
});

describe('maskedRegionStats', () => {
  it('averages the masked pixels only', () => {
    const rgba = frame([
      [255, 0, 0],
      [0, 0, 255],
      [255, 255, 255],
    ]);
    const stats = maskedRegionStats(rgba, backgroundMask(rgba));
    expect(stats.pixels).toBe(2);
    expect(stats.meanRgb).toEqual([0.5, 0, 0.5]);
    expect(stats.brightness).toBeCloseTo(0.5 * 0.2126 + 0.5 * 0.0722, 12);
  });

  it('refuses a mask of another size', () => {
    expect(() => maskedRegionStats(frame([[0, 0, 0]]), new Uint8Array(2))).toThrow(/mask of 2 pixels/);
  });
});

describe('maskIoU', () => {
  it.each([
    // each row: two masks and their intersection over union
    [[1, 1, 0, 0], [1, 1, 0, 0], 1],
    [[1, 1, 0, 0], [0, 0, 1, 1], 0],
    [[1, 1, 1, 0], [0, 1, 1, 1], 0.5],
    [[0, 0], [0, 0], 1],
  ])('%j ∩ %j', (a, b, expected) => {
    expect(maskIoU(Uint8Array.from(a), Uint8Array.from(b))).toBeCloseTo(expected, 12);
  });
});

describe('maskDifference', () => {
  it('counts the pixels only one mask covers', () => {
    expect(maskDifference(Uint8Array.from([1, 1, 0, 0, 1]), Uint8Array.from([0, 1, 1, 0, 1]))).toEqual({
      onlyA: 1,
      onlyB: 1,
    });
    expect(maskDifference(Uint8Array.from([1, 1, 1]), Uint8Array.from([0, 0, 0]))).toEqual({
      onlyA: 3,
      onlyB: 0,
    });
  });
});
