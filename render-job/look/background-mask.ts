/**
 * The product region of an opaque frame on a plain background, for comparing SHAZAM's frames with reference
 * renders delivered without alpha (the Khronos 3D Commerce reference renders are opaque PNGs on white): a
 * pixel belongs to the product when it differs from the background colour, and both images go through the
 * same rule so highlights as white as the background drop out of both alike. Pure.
 */

/**
 * 1 where a pixel of `rgba` differs from `background` by more than `tolerance` in some channel, else 0.
 *
 * @example
 * ```ts
 * backgroundMask(frame, [255, 255, 255], 1) // 1 on the product, 0 on the white around it
 * ```
 */
export function backgroundMask(
  rgba: Uint8Array,
  background: [number, number, number] = [255, 255, 255],
  tolerance = 1,
): Uint8Array {
  const mask = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < mask.length; i++) {
    const o = i * 4;
    const same =
      Math.abs(rgba[o]! - background[0]) <= tolerance &&
      Math.abs(rgba[o + 1]! - background[1]) <= tolerance &&
      Math.abs(rgba[o + 2]! - background[2]) <= tolerance;
    mask[i] = same ? 0 : 1;
  }
  return mask;
}

/** Intersection over union of two masks of the same size (1 when both are empty). */
export function maskIoU(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`masks of ${a.length} and ${b.length} pixels`);
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === 1;
    const y = b[i] === 1;
    if (x && y) both++;
    if (x || y) either++;
  }
  return either === 0 ? 1 : both / either;
}

/** How two masks differ: pixels only `a` covers and pixels only `b` covers. */
export function maskDifference(a: Uint8Array, b: Uint8Array): { onlyA: number; onlyB: number } {
  if (a.length !== b.length) throw new Error(`masks of ${a.length} and ${b.length} pixels`);
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 1 && b[i] !== 1) onlyA++;
    else if (a[i] !== 1 && b[i] === 1) onlyB++;
  }
  return { onlyA, onlyB };
}
