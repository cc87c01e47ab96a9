import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { luminancePercentiles } from './check-texturing.ts';

/** Light grey (200) with a black pixel every `period` pixels in both directions: ~2.8 % black at 6. */
async function speckled(size: number, period: number): Promise<Uint8Array> {
  const pixels = Buffer.alloc(size * size * 3, 200);
  for (let y = 0; y < size; y += period)
    for (let x = 0; x < size; x += period) pixels.fill(0, (y * size + x) * 3, (y * size + x) * 3 + 3);
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

describe('luminancePercentiles', () => {
  it('sees the dark specks a 128×128 copy averages away, at every resolution of the same texture', async () => {
    const texture = await speckled(1024, 6);
    // The copy the percentiles used to be measured on: its 2nd percentile is light, the verdict flips.
    const copy = await sharp(texture).resize(128, 128, { fit: 'fill' }).png().toBuffer();
    expect((await luminancePercentiles(copy, 2048 ** 2)).low).toBeGreaterThan(30);
    const full = await luminancePercentiles(texture, 2048 ** 2);
    expect(full.low).toBeLessThan(30);
    const upscaled = await sharp(texture).resize(2048, 2048, { kernel: 'nearest' }).png().toBuffer();
    expect((await luminancePercentiles(upscaled, 2048 ** 2)).low).toBeLessThan(30);
    expect(full.high).toBeCloseTo(200, 0);
  });

  it('refuses to decode an image over the pixel limit', async () => {
    await expect(luminancePercentiles(await speckled(256, 4), 128 ** 2)).rejects.toThrow(/pixel limit/i);
  });
});
