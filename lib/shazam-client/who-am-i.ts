import type { KubeClient } from '../kube/client.ts';
import { KubeError } from '../kube/errors.ts';

/**
 * The user name the apiserver sees for `client`'s credentials (a SelfSubjectReview), or undefined when
 * it does not tell (an older apiserver, or a review the caller may not create).
 */
export async function whoAmI(client: KubeClient): Promise<string | undefined> {
  try {
    const review = await client.request<{ status?: { userInfo?: { username?: string } } }>(
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } },
    );
    return review?.status?.userInfo?.username;
  } catch (error) {
    // The apiserver answered but will not say; a connection failure is the caller's to see.
    if (error instanceof KubeError && error.statusCode !== undefined) return undefined;
    throw error;
  }
}

/** The name of the kubeconfig's current user entry (not necessarily the identity the apiserver sees). */
export function kubeconfigUserName(client: KubeClient): string | undefined {
  return client.kubeConfig.getCurrentUser()?.name;
}
