import { afterEach, describe, expect, it, vi } from 'vitest';
import { segmentForeground } from './segment-foreground.ts';

const SIDE = 256;

/** An opaque SIDE×SIDE image of `backdrop` with a disc of radius `radius` painted by `paint`. */
function discOn(
  backdrop: [number, number, number],
  radius: number,
  paint: (x: number, y: number) => [number, number, number],
): Uint8Array {
  const rgba = new Uint8Array(SIDE * SIDE * 4);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const inside = (x - SIDE / 2) ** 2 + (y - SIDE / 2) ** 2 < radius * radius;
      const [r, g, b] = inside ? paint(x, y) : backdrop;
      const o = (y * SIDE + x) * 4;
      rgba.set([r, g, b, 255], o);
    }
  }
  return rgba;
}

/** Share of the disc's pixels the segmentation keeps as product. */
function keptShare(rgba: Uint8Array, radius: number): number {
  const { model, found } = segmentForeground(rgba, SIDE, SIDE);
  expect(found).toBe(true);
  let inside = 0;
  let kept = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      if ((x - SIDE / 2) ** 2 + (y - SIDE / 2) ** 2 >= radius * radius) continue;
      inside++;
      if (model.isForeground(rgba, (y * SIDE + x) * 4, x, y)) kept++;
    }
  }
  return kept / inside;
}

describe('segmentForeground', () => {
  it.each([
    // A chrome or grey part shaded towards its rim: each step darker with the backdrop's chromaticity, the
    // chain a neighbour-to-neighbour shadow test once walked along into the product.
    [
      'a neutral product shaded from light to dark grey on white',
      (x: number) => {
        const v = Math.round(230 - ((x - 48) / 160) * 120);
        return [v, v, v] as [number, number, number];
      },
    ],
    // An untextured white product as the renderer draws it on white: 249 against 255, a faint outline only.
    ['a white product on a white render backdrop', () => [249, 249, 250] as [number, number, number]],
  ])('keeps %s whole', (_, paint) => {
    expect(keptShare(discOn([255, 255, 255], 80, paint), 80)).toBeGreaterThan(0.97);
  });

  it('grows through a radial gradient with grain and stops at the product', () => {
    const rgba = discOn([0, 0, 0], 50, () => [40, 90, 160]);
    // A lamp aimed at the wall behind the product: bright off-centre, falling to 45% at the corners.
    let seed = 7;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed / 2 ** 32 - 0.5) * 8;
    };
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        if ((x - SIDE / 2) ** 2 + (y - SIDE / 2) ** 2 < 50 * 50) continue;
        const r = Math.hypot(x - 110, y - 100) / Math.hypot(146, 156);
        const light = 1.1 - 0.65 * Math.min(1, r);
        const o = (y * SIDE + x) * 4;
        [220, 205, 190].forEach((c, k) => {
          rgba[o + k] = Math.max(0, Math.min(255, c * light + noise()));
        });
      }
    }
    const { box } = segmentForeground(rgba, SIDE, SIDE);
    expect(keptShare(rgba, 50)).toBeGreaterThan(0.97);
    // The box is the disc's (78–178), give or take a grid cell and the trim.
    for (const edge of [box.x0, box.y0]) expect(edge).toBeGreaterThanOrEqual(72);
    for (const edge of [box.x1, box.y1]) expect(edge).toBeLessThanOrEqual(184);
  });

  it('keeps a white product on a vignetted pale backdrop, whose border steps exceed its outline', () => {
    // A plain pale wall darkened by 60% towards the corners; the product, a white shape, sits on the
    // undarkened centre, 12 units brighter than the wall around it.
    const rgba = discOn([0, 0, 0], 40, (x, y) => {
      const v = Math.round(252 - ((x - SIDE / 2 + y - SIDE / 2) / 80) * 3);
      return [v, v, v];
    });
    const half = SIDE / 2;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        if ((x - half) ** 2 + (y - half) ** 2 < 40 * 40) continue;
        const r2 = ((x - half) ** 2 + (y - half) ** 2) / (2 * half * half);
        const o = (y * SIDE + x) * 4;
        const light = 1 - 0.6 * r2;
        [240, 236, 228].forEach((c, k) => {
          rgba[o + k] = Math.round(c * light);
        });
      }
    }
    expect(keptShare(rgba, 40)).toBeGreaterThan(0.9);
  });

  it('keeps an untextured white product on a grainy pale backdrop, whose grain exceeds its outline', () => {
    // Linen behind a white shape: per-pixel grain of ±14 around 226, the product a smooth 236–240.
    let seed = 11;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed / 2 ** 32 - 0.5) * 28;
    };
    const rgba = discOn([0, 0, 0], 45, (x) => {
      const v = Math.round(236 + (x - SIDE / 2) / 20);
      return [v, v, v];
    });
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        if ((x - SIDE / 2) ** 2 + (y - SIDE / 2) ** 2 < 45 * 45) continue;
        const o = (y * SIDE + x) * 4;
        const grain = noise();
        [226, 222, 214].forEach((c, k) => {
          rgba[o + k] = Math.round(c + grain);
        });
      }
    }
    // Found (the backdrop flooded it before), less a rim of a cell or two, whose grain is the outline's.
    expect(keptShare(rgba, 45)).toBeGreaterThan(0.7);
    const { box } = segmentForeground(rgba, SIDE, SIDE);
    for (const edge of [box.x0, box.y0]) expect(edge).toBeGreaterThanOrEqual(SIDE / 2 - 45);
    for (const edge of [box.x1, box.y1]) expect(edge).toBeLessThanOrEqual(SIDE / 2 + 45);
  });

  describe('cost', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    // The border ring of a photo's grid holds about 1,500 cells. Its robust statistics (medians, quantiles)
    // are a few sorts of that ring; a median computed once per cell inside a filter made it ~1,500 sorts,
    // 190 ms instead of 7 ms per photo and per rendered frame (docs/search.md, bench:search).
    it('sorts the border a bounded number of times, however large the border', () => {
      for (const side of [128, 384]) {
        const rgba = new Uint8Array(side * side * 4);
        let seed = side;
        for (let o = 0; o < rgba.length; o += 4) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          const grain = (seed >>> 24) % 9;
          rgba.set([200 + grain, 196 + grain, 190 + grain, 255], o);
        }
        const sort = vi.spyOn(Array.prototype, 'sort');
        segmentForeground(rgba, side, side);
        expect(sort.mock.calls.length).toBeLessThanOrEqual(8);
        sort.mockRestore();
      }
    });
  });
});
