import type { AssetSubmission } from '../../crds/api.ts';
import type { KubeClient } from '../kube/client.ts';
import { isConflict } from '../kube/errors.ts';
import { clientErrorOf, RESOURCES } from './resources.ts';

/**
 * Creates the submission, or replaces its spec when it exists, as Argo CD does after a commit: the
 * operator owns the status, so only the spec is sent (a JSON merge patch).
 */
export async function applySubmission(
  client: KubeClient,
  namespace: string,
  object: AssetSubmission,
): Promise<AssetSubmission> {
  const name = object.metadata.name;
  const missing = `namespace ${namespace} does not exist`;
  try {
    return await client.create<AssetSubmission>(RESOURCES.AssetSubmission, namespace, object);
  } catch (error) {
    if (!isConflict(error)) throw clientErrorOf(error, `creating AssetSubmission ${name}`, missing);
  }
  try {
    return await client.patch<AssetSubmission>(
      RESOURCES.AssetSubmission,
      namespace,
      name,
      { spec: object.spec },
      'merge',
    );
  } catch (error) {
    throw clientErrorOf(
      error,
      `updating AssetSubmission ${name}`,
      `AssetSubmission ${namespace}/${name} does not exist`,
    );
  }
}
