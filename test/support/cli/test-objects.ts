import { API_VERSION, type AssetSubmission, type QAReview } from '../../../crds/api.ts';
import type { KubeClient } from '../../../lib/kube/client.ts';
import { RESOURCES } from '../../../lib/shazam-client/resources.ts';

/** An object to create: the namespace comes from {@link createObject}. */
type Manifest<T extends { metadata: unknown }> = Omit<T, 'metadata'> & {
  metadata: { name: string; namespace?: string };
};

/** A valid AssetSubmission manifest for tests. */
export function testSubmission(name: string, asin: string, revision = 1): Manifest<AssetSubmission> {
  return {
    apiVersion: API_VERSION,
    kind: 'AssetSubmission',
    metadata: { name },
    spec: {
      asin,
      revision,
      artist: 'test-artist',
      product: { title: 'Test box', brand: 'Cesium', tags: ['box'] },
      delivery: { uri: `s3://shazam-incoming/incoming/${asin}/r${revision}.zip`, sha256: 'c'.repeat(64) },
      stages: ['cleanup', 'uv', 'texturing'],
    },
  };
}

/** A pending QAReview of `submission` for tests. */
export function testReview(name: string, submission: string): Manifest<QAReview> {
  return {
    apiVersion: API_VERSION,
    kind: 'QAReview',
    metadata: { name },
    spec: { submissionRef: { name: submission }, decision: 'Pending' },
  };
}

/** Creates `object` in `namespace` with an admin client; the apiserver's refusal fails the test. */
export async function createObject<T extends Manifest<AssetSubmission> | Manifest<QAReview>>(
  admin: KubeClient,
  namespace: string,
  object: T,
): Promise<T> {
  const ref = object.kind === 'QAReview' ? RESOURCES.QAReview : RESOURCES.AssetSubmission;
  return admin.create(ref, namespace, { ...object, metadata: { ...object.metadata, namespace } });
}

/** Writes the status subresource of an AssetSubmission the way the operator would. */
export async function writeSubmissionStatus(
  admin: KubeClient,
  namespace: string,
  name: string,
  status: NonNullable<AssetSubmission['status']>,
): Promise<void> {
  await admin.patch(RESOURCES.AssetSubmission, namespace, name, { status }, 'merge', {
    subresource: 'status',
  });
}

/** Writes the status subresource of a QAReview the way the operator would. */
export async function writeReviewStatus(
  admin: KubeClient,
  namespace: string,
  name: string,
  status: NonNullable<QAReview['status']>,
): Promise<void> {
  await admin.patch(RESOURCES.QAReview, namespace, name, { status }, 'merge', { subresource: 'status' });
}
