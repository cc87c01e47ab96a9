/**
 * Records core/v1 Events on objects, as `kubectl describe` shows them, through an {@link EventCorrelator}:
 * a repeated event patches the earlier Event's `count` and `lastTimestamp` instead of creating another
 * object, similar events with changing messages are combined, and a flood from one object is dropped.
 * A failed Event is logged and dropped: an Event is a notice for humans, and retrying a reconcile for it
 * would repeat the actions it reports.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient, ResourceRef } from './client.ts';
import type { Clock } from './clock.ts';
import { isNotFound } from './errors.ts';
import { type CorrelatorOptions, EventCorrelator, type EventInput } from './event-correlator.ts';
import type { KubeLogger } from './logger.ts';

const EVENTS: ResourceRef = { group: '', version: 'v1', plural: 'events' };

/** The object an Event is about. */
export interface EventSubject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid?: string };
}

/** Records Events; see {@link createEventRecorder}. */
export interface AggregatingEventRecorder {
  record(subject: EventSubject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

/** A name for a new Event: the object's name, cut so the unique suffix fits in 253 characters. */
export function eventName(objectName: string, now: number, sequence: number): string {
  const suffix = `${now.toString(16)}${sequence.toString(16)}`;
  const head = objectName.slice(0, 253 - suffix.length - 1).replace(/[^a-z0-9]+$/, '');
  return `${head}.${suffix}`;
}

/**
 * An Event recorder for `component` (the Events' `source.component` and `reportingComponent`).
 *
 * @example
 * ```ts
 * const events = createEventRecorder(client, systemClock, log, 'shazam-operator');
 * await events.record(submission, 'Warning', 'ValidationFailed', 'the archive holds no model');
 * ```
 */
export function createEventRecorder(
  client: KubeClient,
  clock: Clock,
  log: KubeLogger,
  component: string,
  options: Partial<CorrelatorOptions> = {},
): AggregatingEventRecorder {
  const correlator = new EventCorrelator(options);
  let sequence = 0;
  // One object's events are written in order, so a repeat patches the Event its predecessor created.
  const chains = new Map<string, Promise<void>>();

  async function write(subject: EventSubject, input: EventInput): Promise<void> {
    const now = clock.now();
    const timestamp = new Date(now).toISOString();
    const decision = correlator.correlate(input, now);
    if (decision.action === 'drop') {
      log.debug(
        { kind: subject.kind, name: subject.metadata.name, reason: input.reason },
        'Event dropped (spam filter)',
      );
      return;
    }
    const { name, namespace } = subject.metadata;
    if (decision.action === 'patch') {
      try {
        await client.patch(
          EVENTS,
          namespace,
          decision.name,
          { count: decision.count, lastTimestamp: timestamp, message: decision.message.slice(0, 1024) },
          'merge',
        );
        correlator.written(decision.key, decision.name, decision.count, decision.firstTimestamp);
        return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        correlator.forget(decision.key);
      }
    }
    sequence = (sequence + 1) % 1_000_000;
    const created = eventName(name, now, sequence);
    const count = decision.action === 'patch' ? 1 : decision.count;
    await client.create(EVENTS, namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: created, namespace },
      involvedObject: { ...input.involvedObject },
      type: input.type,
      reason: input.reason,
      message: decision.message.slice(0, 1024),
      source: { component },
      reportingComponent: component,
      reportingInstance: component,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count,
    } as KubernetesObject);
    correlator.written(decision.key, created, count, timestamp);
  }

  return {
    record(subject, type, reason, message) {
      const { name, namespace, uid } = subject.metadata;
      const input: EventInput = {
        involvedObject: {
          apiVersion: subject.apiVersion,
          kind: subject.kind,
          name,
          namespace,
          ...(uid ? { uid } : {}),
        },
        type,
        reason,
        message,
        component,
      };
      const chainKey = `${subject.kind}/${namespace}/${name}`;
      const next = (chains.get(chainKey) ?? Promise.resolve()).then(() =>
        write(subject, input).catch((error: unknown) => {
          log.warn({ kind: subject.kind, namespace, name, reason, err: String(error) }, 'Event not recorded');
        }),
      );
      chains.set(chainKey, next);
      void next.then(() => {
        if (chains.get(chainKey) === next) chains.delete(chainKey);
      });
      return next;
    },
  };
}
