import type { S3Client } from '@aws-sdk/client-s3';
import { parse } from 'yaml';
import type { AssetSubmission } from '../crds/api.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import { applySubmission } from '../lib/shazam-client/apply-submission.ts';
import { deliveryFromZip, deliveryIdentity } from '../lib/shazam-client/delivery.ts';
import { packDirectory } from '../lib/shazam-client/deterministic-zip.ts';
import { renderSubmissionManifest } from '../lib/shazam-client/submission-manifest.ts';
import { uploadDelivery } from '../lib/shazam-client/upload-delivery.ts';
import { incomingKey } from '../lib/storage/layout.ts';
import { formatS3Uri } from '../lib/storage/s3-uri.ts';

/** Options of {@link submitRevision}. */
export interface SubmitRevisionOptions {
  admin: KubeClient;
  s3: S3Client;
  namespace: string;
  incomingBucket: string;
  /** The delivery folder to pack. */
  deliveryDir: string;
  /** The AssetSubmission manifest as committed to git (the example, or the previous revision's). */
  manifestText: string;
  onUploadProgress?: (sent: number, total: number) => void;
}

/** What {@link submitRevision} did. */
export interface SubmittedRevision {
  name: string;
  asin: string;
  revision: number;
  sha256: string;
  /** The manifest as applied, for the next revision to start from. */
  manifestText: string;
  submission: AssetSubmission;
}

/**
 * Does what an artist does for one revision, with the same code as `shazam pack` and `shazam submit`:
 * packs the delivery deterministically, uploads it to incoming/, renders the AssetSubmission manifest
 * with the new delivery block and applies it (create, or update the spec of the existing object, as
 * Argo CD would after the commit).
 */
export async function submitRevision(options: SubmitRevisionOptions): Promise<SubmittedRevision> {
  const packed = await packDirectory(options.deliveryDir);
  const delivery = await deliveryFromZip(packed.zip, options.deliveryDir);
  const { asin, revision } = deliveryIdentity(delivery, {});
  const key = incomingKey(asin, revision);
  await uploadDelivery({
    s3: options.s3,
    bucket: options.incomingBucket,
    key,
    zip: packed.zip,
    sha256: packed.sha256,
    ...(options.onUploadProgress ? { onProgress: options.onUploadProgress } : {}),
  });
  const current = parse(options.manifestText) as AssetSubmission;
  const manifestText = renderSubmissionManifest(
    {
      name: current.metadata.name,
      asin,
      revision,
      ...(delivery.manifest?.artist ? { artist: delivery.manifest.artist } : {}),
      stages: delivery.manifest?.stages ?? current.spec.stages ?? ['cleanup', 'uv', 'texturing'],
      delivery: { uri: formatS3Uri({ bucket: options.incomingBucket, key }), sha256: packed.sha256 },
      product: {},
    },
    options.manifestText,
  );
  const object = parse(manifestText) as AssetSubmission;
  object.metadata = { ...object.metadata, namespace: options.namespace };
  const submission = await applySubmission(options.admin, options.namespace, object);
  return { name: object.metadata.name, asin, revision, sha256: packed.sha256, manifestText, submission };
}
