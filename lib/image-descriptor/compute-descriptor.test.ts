import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  computeDescriptor,
  DESCRIPTOR_DIMS,
  DescriptorInputError,
  descriptorSimilarity,
} from './compute-descriptor.ts';
import { segmentForeground } from './segment-foreground.ts';

const IMAGES = fileURLToPath(new URL('../../test/fixtures/reference-images/', import.meta.url));

interface Raw {
  data: Uint8Array;
  width: number;
  height: number;
}

async function raw(image: Sharp): Promise<Raw> {
  const { data, info } = await image.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

function describeImage(image: Raw): Float32Array {
  return computeDescriptor(image.data, image.width, image.height);
}

/** A synthetic product: shapes painted on a background, in a small software raster. */
function paint(
  width: number,
  height: number,
  background: (x: number, y: number) => [number, number, number],
  shapes: Array<{ inside: (x: number, y: number) => boolean; colour: [number, number, number] }>,
): Raw {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let colour = background(x, y);
      for (const shape of shapes) if (shape.inside(x, y)) colour = shape.colour;
      data.set([...colour, 255], (y * width + x) * 4);
    }
  }
  return { data, width, height };
}

/** A red ball on a blue box, centred at (cx, cy), `scale` pixels per unit. */
function ballOnBox(cx: number, cy: number, scale: number): Parameters<typeof paint>[3] {
  return [
    {
      inside: (x, y) => Math.abs(x - cx) < 1.2 * scale && y > cy && y < cy + 1.4 * scale,
      colour: [40, 70, 200],
    },
    { inside: (x, y) => (x - cx) ** 2 + (y - cy) ** 2 < (0.9 * scale) ** 2, colour: [210, 40, 30] },
  ];
}

/** A green upright bottle shape. */
function bottle(cx: number, cy: number, scale: number): Parameters<typeof paint>[3] {
  return [
    {
      inside: (x, y) => Math.abs(x - cx) < 0.5 * scale && Math.abs(y - cy) < 1.6 * scale,
      colour: [40, 160, 60],
    },
    {
      inside: (x, y) => Math.abs(x - cx) < 0.2 * scale && y < cy - 1.6 * scale && y > cy - 2.1 * scale,
      colour: [230, 230, 230],
    },
  ];
}

const white = (): [number, number, number] => [255, 255, 255];

describe('computeDescriptor', () => {
  it('returns a unit vector of DESCRIPTOR_DIMS numbers, the same for the same pixels', () => {
    const image = paint(200, 160, white, ballOnBox(100, 70, 40));
    const first = describeImage(image);
    const second = describeImage({ ...image, data: image.data.slice() });
    expect(first).toHaveLength(DESCRIPTOR_DIMS);
    expect(descriptorSimilarity(first, first)).toBeCloseTo(1, 5);
    expect(Array.from(second)).toEqual(Array.from(first));
  });

  it('rejects a buffer that does not match the stated size, naming the fix', () => {
    expect(() => computeDescriptor(new Uint8Array(30), 4, 2)).toThrow(DescriptorInputError);
    expect(() => computeDescriptor(new Uint8Array(30), 4, 2)).toThrow(/ensureAlpha/);
    expect(() => computeDescriptor(new Uint8Array(0), 0, 0)).toThrow(/positive integers/);
  });

  it('describes a blank image without failing', () => {
    const vector = describeImage(paint(50, 50, white, []));
    expect(vector.every(Number.isFinite)).toBe(true);
  });

  it('stays closer to the same product under backdrop, crop, scale and brightness changes than to another product', () => {
    const original = describeImage(paint(240, 240, white, ballOnBox(120, 100, 50)));
    const other = describeImage(paint(240, 240, white, bottle(120, 120, 50)));
    const variants: Record<string, Raw> = {
      'grey backdrop': paint(240, 240, () => [128, 128, 128], ballOnBox(120, 100, 50)),
      'gradient backdrop': paint(
        300,
        200,
        (x, y) => [200 - x / 3, 210 - y / 4, 150 + x / 5],
        ballOnBox(140, 80, 45),
      ),
      'small and off-centre': paint(400, 300, white, ballOnBox(110, 120, 25)),
      'tight crop': paint(140, 150, white, ballOnBox(70, 55, 50)),
    };
    const darker = paint(240, 240, white, ballOnBox(120, 100, 50));
    for (let i = 0; i < darker.data.length; i += 4) {
      for (let c = 0; c < 3; c++) darker.data[i + c] = Math.round(darker.data[i + c]! * 0.6);
    }
    variants.darker = darker;
    const differentProduct = descriptorSimilarity(original, other);
    for (const [name, image] of Object.entries(variants)) {
      const similarity = descriptorSimilarity(original, describeImage(image));
      expect(similarity, name).toBeGreaterThan(0.85);
      expect(similarity, name).toBeGreaterThan(differentProduct + 0.2);
    }
  });

  it('matches a real product photo to itself after sharp resizes, pads, darkens and re-encodes it', async () => {
    const names = ['Mixer-0.jpg', 'DamagedHelmet-screenshot.jpg', 'WaterBottle-screenshot.jpg'];
    const originals = await Promise.all(
      names.map(async (name) => describeImage(await raw(sharp(`${IMAGES}${name}`)))),
    );
    for (const name of names) {
      const meta = await sharp(`${IMAGES}${name}`).metadata();
      const query = sharp(
        await sharp(`${IMAGES}${name}`)
          .resize(Math.round(meta.width * 0.6))
          .extend({ top: 40, bottom: 10, left: 60, right: 20, extendWith: 'copy' })
          .modulate({ brightness: 0.8 })
          .jpeg({ quality: 70 })
          .toBuffer(),
      );
      const vector = describeImage(await raw(query));
      const scores = originals.map((candidate) => descriptorSimilarity(vector, candidate));
      const best = scores.indexOf(Math.max(...scores));
      expect(names[best], `${name} scores ${scores.map((s) => s.toFixed(3)).join(', ')}`).toBe(name);
    }
  });
});

describe('segmentForeground', () => {
  it('boxes the product on a plain backdrop', () => {
    const image = paint(200, 100, () => [20, 120, 40], [
      { inside: (x, y) => x >= 50 && x < 90 && y >= 30 && y < 70, colour: [250, 250, 250] },
    ]);
    const { box, found } = segmentForeground(image.data, image.width, image.height);
    expect(found).toBe(true);
    expect(box.x0).toBeGreaterThanOrEqual(48);
    expect(box.x0).toBeLessThanOrEqual(50);
    expect(box.x1).toBeGreaterThanOrEqual(90);
    expect(box.x1).toBeLessThanOrEqual(92);
    expect(box.y0).toBeGreaterThanOrEqual(28);
    expect(box.y1).toBeLessThanOrEqual(72);
  });

  it('uses alpha when the border is transparent', () => {
    const image = paint(64, 64, white, []);
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++)
        image.data[(y * 64 + x) * 4 + 3] = x >= 10 && x < 20 && y >= 5 && y < 60 ? 255 : 0;
    }
    const { box } = segmentForeground(image.data, 64, 64);
    expect(box).toEqual({ x0: 10, y0: 5, x1: 20, y1: 60 });
  });

  it('treats the whole image as the product when nothing stands out', () => {
    const image = paint(80, 60, white, []);
    expect(segmentForeground(image.data, 80, 60)).toMatchObject({
      found: false,
      box: { x0: 0, y0: 0, x1: 80, y1: 60 },
    });
  });
});
