/**
 * Reference-photo fidelity of a whole delivery, in the shape of `QAReview.status.fidelity`: every reference
 * photo (encoded, as stored) against the rendered turntable's frames (encoded, with their descriptors).
 */
import sharp from 'sharp';
import type { ReferenceFidelity, ReferenceMatch } from '../../crds/api.ts';
import { type AssessOptions, assessReference, prepareTurntable } from './assess-reference.ts';
import type { RgbaImage } from './product-view.ts';

/** Photos are compared at most this large (longer side); more pixels change no score. */
const MAX_SIDE = 1024;
/** References assessed at most (the CRD's bound). */
export const MAX_REFERENCES = 64;

/** A reference photo as delivered. */
export interface EncodedReference {
  /** Its path in the delivery, such as `references/front.jpg`. */
  name: string;
  bytes: Uint8Array;
}

/** A turntable frame as rendered. */
export interface EncodedFrame {
  index: number;
  angleDeg: number;
  bytes: Uint8Array;
  /** From the render's `descriptors.json`, when its descriptor version is the reader's. */
  descriptor?: ArrayLike<number>;
}

/** What {@link assessDelivery} compares. */
export interface DeliveryImages {
  references: EncodedReference[];
  frames: EncodedFrame[];
  /** Where the frames come from, recorded in the status. */
  renderPrefix?: string;
}

async function decode(bytes: Uint8Array): Promise<RgbaImage> {
  const { data, info } = await sharp(bytes, { limitInputPixels: 64 * 1024 * 1024 })
    .rotate()
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/**
 * Decodes the frames and photos and assesses every photo ({@link assessReference}). A photo that cannot
 * be decoded is left out and named in `error`; no frames at all is an `error` with no references.
 *
 * @example
 * ```ts
 * const fidelity = await assessDelivery({ references, frames, renderPrefix });
 * await patchStatus(review, { fidelity });
 * ```
 */
export async function assessDelivery(
  images: DeliveryImages,
  options: AssessOptions & { now?: Date } = {},
): Promise<ReferenceFidelity> {
  const base: ReferenceFidelity = {
    computedAt: (options.now ?? new Date()).toISOString(),
    ...(images.renderPrefix ? { renderPrefix: images.renderPrefix } : {}),
    references: [],
  };
  if (images.frames.length === 0) return { ...base, error: 'the render has no frames to compare with' };
  const turntable = prepareTurntable(
    await Promise.all(
      images.frames.map(async (frame) => ({
        index: frame.index,
        angleDeg: frame.angleDeg,
        image: await decode(frame.bytes),
        ...(frame.descriptor ? { descriptor: frame.descriptor } : {}),
      })),
    ),
  );
  const unreadable: string[] = [];
  for (const reference of images.references.slice(0, MAX_REFERENCES)) {
    let image: RgbaImage;
    try {
      image = await decode(reference.bytes);
    } catch {
      unreadable.push(reference.name);
      continue;
    }
    const result = await assessReference(image, turntable, options);
    const match: ReferenceMatch = {
      reference: reference.name,
      bestFrame: result.bestFrame,
      angleDeg: result.angleDeg,
      ...(result.elevationDeg === undefined ? {} : { elevationDeg: result.elevationDeg }),
      referenceCrop: result.alignment.reference,
      frameCrop: result.alignment.frame,
      closeUp: result.closeUp,
      scores: result.scores,
      verdict: result.verdict,
      reasons: result.reasons.slice(0, 8),
    };
    base.references.push(match);
  }
  if (unreadable.length > 0) base.error = `not an image: ${unreadable.join(', ')}`.slice(0, 1024);
  if (images.references.length > MAX_REFERENCES) {
    base.error = `${base.error ? `${base.error}; ` : ''}only the first ${MAX_REFERENCES} references were compared`;
  }
  return base;
}
