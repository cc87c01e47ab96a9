import type { S3Client } from '@aws-sdk/client-s3';
import { parse } from 'yaml';
import { deliveryFromZip, deliveryIdentity } from '../cli/lib/delivery.ts';
import { packDirectory } from '../cli/lib/deterministic-zip.ts';
import { type KubeRestClient, statusMessage } from '../cli/lib/kube-rest.ts';
import { type AssetSubmission, resourcePath } from '../cli/lib/resources.ts';
import { renderSubmissionManifest } from '../cli/lib/submission-manifest.ts';
import { uploadDelivery } from '../cli/lib/upload-delivery.ts';
import { incomingKey } from '../lib/storage/layout.ts';
import { formatS3Uri } from '../lib/storage/s3-uri.ts';

/** Options of {@link submitRevision}. */
export interface SubmitRevisionOptions {
  admin: KubeRestClient;
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

/** Creates the submission, or replaces its spec when it exists (the operator owns the status). */
async function applySubmission(
  admin: KubeRestClient,
  namespace: string,
  object: AssetSubmission,
): Promise<AssetSubmission> {
  const created = await admin.send({
    method: 'POST',
    path: resourcePath('AssetSubmission', namespace),
    body: object,
  });
  if (created.status === 201) return created.body as AssetSubmission;
  if (created.status !== 409)
    throw new Error(`creating AssetSubmission ${object.metadata.name}: ${statusMessage(created)}`);
  const patched = await admin.send({
    method: 'PATCH',
    path: resourcePath('AssetSubmission', namespace, object.metadata.name),
    body: { spec: object.spec },
    contentType: 'application/merge-patch+json',
  });
  if (patched.status !== 200)
    throw new Error(`updating AssetSubmission ${object.metadata.name}: ${statusMessage(patched)}`);
  return patched.body as AssetSubmission;
}
