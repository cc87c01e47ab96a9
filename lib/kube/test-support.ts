import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from './client.ts';
import { isAlreadyExists } from './errors.ts';

/**
 * Polls `check` until it returns a value other than `undefined`/`false`, or throws after `timeoutMs` with
 * `what` in the message. For tests that wait on an informer or a controller to converge.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A test-only custom resource with a status subresource and a free-form schema. */
export const WIDGETS = { group: 'kube-runtime.test.shazam.dev', version: 'v1', plural: 'widgets' } as const;

/**
 * Creates the Widget CRD ({@link WIDGETS}) if it is missing and waits until it serves. Tests of the generic
 * helpers use it so they do not depend on the product's CRD schemas.
 */
export async function ensureWidgetCrd(client: KubeClient): Promise<void> {
  const ref = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
  const name = `${WIDGETS.plural}.${WIDGETS.group}`;
  try {
    await client.create(ref, undefined, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
      spec: {
        group: WIDGETS.group,
        scope: 'Namespaced',
        names: { plural: WIDGETS.plural, singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: WIDGETS.version,
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    } as KubernetesObject);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  await waitFor('the Widget CRD to serve', async () => {
    try {
      await client.list(WIDGETS, { limit: 1 });
      return true;
    } catch {
      return false;
    }
  });
}
