import { describe, expect, it } from 'vitest';
import { createNamespace, kubeConfig } from '../../test/harness/index.ts';
import { KubeClient } from './client.ts';
import { FakeClock } from './clock.ts';
import { AGGREGATED_PREFIX } from './event-correlator.ts';
import { createEventRecorder, eventName } from './event-recorder.ts';
import { silentLogger } from './logger.ts';

interface CoreEvent {
  metadata: { name: string };
  reason: string;
  message: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  involvedObject: { kind: string; name: string; uid?: string };
}

const EVENTS = { group: '', version: 'v1', plural: 'events' } as const;

async function events(client: KubeClient, namespace: string): Promise<CoreEvent[]> {
  const list = await client.list(EVENTS, { namespace });
  return list.items as unknown as CoreEvent[];
}

function subject(namespace: string, name = 'chair') {
  return {
    apiVersion: 'pipeline.shazam.dev/v1alpha1',
    kind: 'AssetSubmission',
    metadata: { name, namespace, uid: '6f1c2a8e-0000-4000-8000-000000000001' },
  };
}

describe('the aggregating Event recorder on the real apiserver', () => {
  it('bumps one Event’s count for a repeated event instead of creating new objects', async () => {
    const client = new KubeClient(kubeConfig());
    const namespace = await createNamespace('events');
    const clock = new FakeClock(Date.parse('2026-12-01T10:00:00Z'));
    const recorder = createEventRecorder(client, clock, silentLogger, 'shazam-operator');
    for (let i = 0; i < 5; i++) {
      await recorder.record(subject(namespace), 'Warning', 'RenderFailed', 'the GPU ran out of memory');
      clock.advance(2000);
    }
    await recorder.record(subject(namespace), 'Normal', 'Rendering', 'render job started');
    const stored = await events(client, namespace);
    expect(stored).toHaveLength(2);
    const failed = stored.find((event) => event.reason === 'RenderFailed');
    expect(failed).toMatchObject({
      count: 5,
      message: 'the GPU ran out of memory',
      firstTimestamp: '2026-12-01T10:00:00Z',
      lastTimestamp: '2026-12-01T10:00:08Z',
      involvedObject: { kind: 'AssetSubmission', name: 'chair' },
    });
    // Concurrent repeats on one object still land on one Event.
    await Promise.all(
      Array.from({ length: 4 }, () =>
        recorder.record(subject(namespace), 'Warning', 'RenderFailed', 'the GPU ran out of memory'),
      ),
    );
    const after = (await events(client, namespace)).filter((event) => event.reason === 'RenderFailed');
    expect(after.map((event) => event.count)).toEqual([9]);
  });

  it('combines similar events whose messages differ, as client-go’s aggregator does', async () => {
    const client = new KubeClient(kubeConfig());
    const namespace = await createNamespace('events');
    const clock = new FakeClock(Date.parse('2026-12-01T10:00:00Z'));
    const recorder = createEventRecorder(client, clock, silentLogger, 'shazam-operator');
    for (let attempt = 1; attempt <= 14; attempt++) {
      await recorder.record(subject(namespace), 'Warning', 'S3Unavailable', `attempt ${attempt}: timeout`);
      clock.advance(1000);
    }
    const stored = await events(client, namespace);
    // Nine distinct messages, then one Event for the rest.
    expect(stored).toHaveLength(10);
    const combined = stored.filter((event) => event.message.startsWith(AGGREGATED_PREFIX));
    expect(combined).toHaveLength(1);
    expect(combined[0]).toMatchObject({ count: 5, message: `${AGGREGATED_PREFIX}attempt 14: timeout` });
  });

  it('creates the Event again when the earlier one is gone (expired by the apiserver’s TTL)', async () => {
    const client = new KubeClient(kubeConfig());
    const namespace = await createNamespace('events');
    const clock = new FakeClock(Date.parse('2026-12-01T10:00:00Z'));
    const recorder = createEventRecorder(client, clock, silentLogger, 'shazam-operator');
    await recorder.record(subject(namespace), 'Normal', 'Published', 'published version 3');
    const [first] = await events(client, namespace);
    if (!first) throw new Error('no Event');
    await client.delete(EVENTS, namespace, first.metadata.name);
    clock.advance(1000);
    await recorder.record(subject(namespace), 'Normal', 'Published', 'published version 3');
    const stored = await events(client, namespace);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.count).toBe(1);
    expect(stored[0]?.metadata.name).not.toBe(first.metadata.name);
  });

  it('drops a flood from one object after the burst (spam filter), other objects unaffected', async () => {
    const client = new KubeClient(kubeConfig());
    const namespace = await createNamespace('events');
    const clock = new FakeClock(Date.parse('2026-12-01T10:00:00Z'));
    const recorder = createEventRecorder(client, clock, silentLogger, 'shazam-operator', { burst: 3 });
    for (let i = 0; i < 6; i++) await recorder.record(subject(namespace), 'Normal', 'Tick', 'tick');
    await recorder.record(subject(namespace, 'table'), 'Normal', 'Tick', 'tick');
    const stored = await events(client, namespace);
    expect(stored.map((event) => `${event.involvedObject.name}:${event.count}`).sort()).toEqual([
      'chair:3',
      'table:1',
    ]);
  });
});

describe('eventName', () => {
  it('fits 253 characters and ends the object part on an alphanumeric', () => {
    const name = eventName(`${'a'.repeat(250)}-`, Date.parse('2026-12-01T10:00:00Z'), 7);
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^a+\.[0-9a-f]+$/);
  });
});
