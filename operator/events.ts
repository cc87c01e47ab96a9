/**
 * Records Kubernetes Events (core/v1) on the operator's objects, as `kubectl describe` shows them.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { EventRecorder } from '../controllers/context.ts';
import { RESOURCES } from '../controllers/resources.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import type { Clock } from '../lib/kube/clock.ts';
import type { KubeLogger } from '../lib/kube/logger.ts';

/**
 * An {@link EventRecorder} that creates one Event per call. A failed Event is logged and dropped: an Event
 * is a notice for humans, and retrying a reconcile for it would repeat the actions it reports.
 */
export function createEventRecorder(
  client: KubeClient,
  clock: Clock,
  log: KubeLogger,
  component: string,
): EventRecorder {
  let sequence = 0;
  return {
    async record(object, type, reason, message) {
      const now = new Date(clock.now()).toISOString();
      const { name, namespace, uid } = object.metadata;
      sequence = (sequence + 1) % 1_000_000;
      const suffix = `${clock.now().toString(16)}${sequence.toString(16)}`;
      // The object's name, cut so the unique suffix always fits in the 253 characters of an Event's name.
      const head = name.slice(0, 253 - suffix.length - 1).replace(/[^a-z0-9]+$/, '');
      const event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${head}.${suffix}`, namespace },
        involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name, namespace, uid },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component },
        reportingComponent: component,
        reportingInstance: component,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      try {
        await client.create(RESOURCES.event, namespace, event as unknown as KubernetesObject);
      } catch (error) {
        log.warn({ kind: object.kind, namespace, name, reason, err: String(error) }, 'Event not recorded');
      }
    },
  };
}
