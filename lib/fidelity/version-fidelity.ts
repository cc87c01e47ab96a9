/**
 * Reference-photo fidelity of one stored render: reads the reference photos and the rendered turntable
 * (manifest, descriptors, frames) from S3 and assesses them ({@link assessDelivery}). The render Job calls
 * it once its turntable is written (`shazam render-job --references`).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ReferenceFidelity } from '../../crds/api.ts';
import { parseDescriptorSet } from '../contracts/descriptors.ts';
import { parseRenderManifest } from '../contracts/render-manifest.ts';
import { DESCRIPTOR_DIMS, DESCRIPTOR_VERSION } from '../image-descriptor/compute-descriptor.ts';
import { getBytes, getJsonIfExists, listObjects } from '../storage/object-store.ts';
import { formatS3Uri } from '../storage/s3-uri.ts';
import { assessDelivery, type EncodedFrame, MAX_REFERENCES } from './assess-delivery.ts';
import type { AssessOptions } from './assess-reference.ts';

/** Where a render and its references are: `renders/` and `references/` of a version (`versionKeys`). */
export interface StoredRenderKeys {
  /** The render's prefix, holding `manifest.json` (ends with `/`). */
  rendersPrefix: string;
  /** The reference photos' prefix (ends with `/`). */
  referencesPrefix: string;
}

/**
 * Assesses the reference photos under `keys.referencesPrefix` against the render under `keys.rendersPrefix`.
 * A render without `manifest.json` gets an `error` and no references; storage errors are thrown
 * (StorageError).
 *
 * @example
 * ```ts
 * const fidelity = await assessVersion(s3, 'shazam-assets', versionKeys('B0D4KMX7Q2', 3));
 * ```
 */
export async function assessVersion(
  s3: S3Client,
  bucket: string,
  keys: StoredRenderKeys,
  options: AssessOptions & { now?: Date } = {},
): Promise<ReferenceFidelity> {
  const manifestKey = `${keys.rendersPrefix}manifest.json`;
  const renderPrefix = formatS3Uri({ bucket, key: keys.rendersPrefix });
  const manifestJson = await getJsonIfExists(s3, { bucket, key: manifestKey });
  if (manifestJson === undefined) {
    return {
      computedAt: (options.now ?? new Date()).toISOString(),
      renderPrefix,
      references: [],
      error: 'the version has no render yet',
    };
  }
  const manifest = parseRenderManifest(manifestJson, formatS3Uri({ bucket, key: manifestKey }));
  const descriptorJson = await getJsonIfExists(s3, {
    bucket,
    key: `${keys.rendersPrefix}${manifest.descriptors}`,
  });
  const descriptors = descriptorJson === undefined ? undefined : parseDescriptorSet(descriptorJson);
  // Vectors of another descriptor function are not comparable with the photo's: recompute from the frames.
  const usable =
    descriptors?.descriptorVersion === DESCRIPTOR_VERSION && descriptors.dims === DESCRIPTOR_DIMS
      ? descriptors
      : undefined;
  const frames: EncodedFrame[] = await Promise.all(
    manifest.frames.map(async (frame) => {
      const vector = usable?.frames.find((entry) => entry.index === frame.index)?.vector;
      return {
        index: frame.index,
        angleDeg: frame.angleDeg,
        bytes: await getBytes(s3, {
          bucket,
          key: `${keys.rendersPrefix}${frame.files.png ?? frame.files.webp}`,
        }),
        ...(vector ? { descriptor: vector } : {}),
      };
    }),
  );
  const listing = await listObjects(s3, bucket, keys.referencesPrefix, { limit: MAX_REFERENCES + 1 });
  const references = await Promise.all(
    listing.objects.map(async (object) => ({
      name: `references/${object.key.slice(keys.referencesPrefix.length)}`,
      bytes: await getBytes(s3, { bucket, key: object.key }),
    })),
  );
  return assessDelivery({ references, frames, renderPrefix }, options);
}
