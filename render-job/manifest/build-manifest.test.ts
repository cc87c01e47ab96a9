import { describe, expect, it } from 'vitest';
import { checkFill } from './build-manifest.ts';

describe('checkFill', () => {
  it('is null without a required fill', () => {
    expect(checkFill({ fillPerFrame: [0.5], anglesDeg: [0] }, null)).toBeNull();
  });

  it('lists every frame under the required fill with its shortfall', () => {
    const check = checkFill({ fillPerFrame: [0.9, 0.809, 0.86, 0.84], anglesDeg: [0, 90, 180, 270] }, 0.85);
    expect(check).toEqual({
      required: 0.85,
      min: 0.809,
      max: 0.9,
      passed: false,
      misses: [
        { frame: 1, angleDeg: 90, fill: 0.809, shortBy: 0.041 },
        { frame: 3, angleDeg: 270, fill: 0.84, shortBy: 0.01 },
      ],
    });
  });

  it('passes with no misses when every frame fills enough', () => {
    expect(checkFill({ fillPerFrame: [0.9, 0.86], anglesDeg: [0, 180] }, 0.85)).toMatchObject({
      passed: true,
      misses: [],
    });
  });
});
