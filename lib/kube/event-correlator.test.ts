import { describe, expect, it } from 'vitest';
import { AGGREGATED_PREFIX, EventCorrelator, type EventInput } from './event-correlator.ts';

const event = (message: string, name = 'chair'): EventInput => ({
  involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'ns' },
  type: 'Warning',
  reason: 'Retry',
  message,
  component: 'test',
});

describe('EventCorrelator', () => {
  it('patches the Event of an identical event, counting up', () => {
    const correlator = new EventCorrelator();
    const first = correlator.correlate(event('boom'), 0);
    expect(first).toMatchObject({ action: 'create', count: 1, message: 'boom' });
    if (first.action !== 'create') throw new Error('expected create');
    correlator.written(first.key, 'chair.1', 1, 't0');
    expect(correlator.correlate(event('boom'), 1)).toMatchObject({
      action: 'patch',
      name: 'chair.1',
      count: 2,
    });
  });

  it('aggregates from the threshold on, and starts over after the window', () => {
    const correlator = new EventCorrelator({ aggregateThreshold: 3, aggregateWindowMs: 1000 });
    const decisions = ['a', 'b', 'c', 'd'].map((message, i) => {
      const decision = correlator.correlate(event(message), i);
      if (decision.action !== 'drop') correlator.written(decision.key, `e${i}`, decision.count, 't');
      return decision;
    });
    expect(decisions.map((d) => d.action)).toEqual(['create', 'create', 'create', 'patch']);
    expect(decisions[3]).toMatchObject({ name: 'e2', message: `${AGGREGATED_PREFIX}d`, count: 2 });
    expect(correlator.correlate(event('e'), 5000)).toMatchObject({ action: 'create', message: 'e' });
  });

  it('refills the spam filter one token per interval', () => {
    const correlator = new EventCorrelator({ burst: 2, refillMs: 1000 });
    const actions = [0, 0, 0, 999, 1000, 1001].map((t) => correlator.correlate(event('x'), t).action);
    expect(actions).toEqual(['create', 'create', 'drop', 'drop', 'create', 'drop']);
  });
});
