import { API_VERSION } from '../../crds/api.ts';
import type { KubeRestClient } from './kube-rest.ts';
import { statusMessage } from './kube-rest.ts';
import { type AssetSubmission, type QAReview, resourcePath } from './resources.ts';

/** A valid AssetSubmission manifest for tests. */
export function testSubmission(name: string, asin: string, revision = 1): AssetSubmission {
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
export function testReview(name: string, submission: string): QAReview {
  return {
    apiVersion: API_VERSION,
    kind: 'QAReview',
    metadata: { name },
    spec: { submissionRef: { name: submission }, decision: 'Pending' },
  };
}

/** Creates `object` in `namespace` with an admin client, failing the test with the apiserver's message. */
export async function createObject<T extends { kind?: string; metadata: { name: string } }>(
  admin: KubeRestClient,
  namespace: string,
  object: T,
): Promise<T> {
  const kind = object.kind === 'QAReview' ? 'QAReview' : 'AssetSubmission';
  const response = await admin.send({ method: 'POST', path: resourcePath(kind, namespace), body: object });
  if (response.status !== 201)
    throw new Error(`creating ${kind} ${object.metadata.name}: ${statusMessage(response)}`);
  return response.body as T;
}

/** Writes the status subresource of an AssetSubmission the way the operator would. */
export async function writeSubmissionStatus(
  admin: KubeRestClient,
  namespace: string,
  name: string,
  status: NonNullable<AssetSubmission['status']>,
): Promise<void> {
  const response = await admin.send({
    method: 'PATCH',
    path: `${resourcePath('AssetSubmission', namespace, name)}/status`,
    body: { status },
    contentType: 'application/merge-patch+json',
  });
  if (response.status !== 200) throw new Error(`writing status of ${name}: ${statusMessage(response)}`);
}
