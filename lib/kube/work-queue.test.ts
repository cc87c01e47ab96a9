import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from './backoff.ts';
import { FakeClock } from './clock.ts';
import { WorkQueue, type WorkResult } from './work-queue.ts';

/** A handler whose runs the test finishes by hand. */
function controlledHandler() {
  const runs: {
    key: string;
    finish: (result?: WorkResult) => void;
    fail: (error: Error) => void;
    signal: AbortSignal;
  }[] = [];
  const handler = (key: string, { signal }: { signal: AbortSignal }) =>
    new Promise<WorkResult | undefined>((resolve, reject) => {
      runs.push({ key, finish: resolve, fail: reject, signal });
    });
  return { runs, handler };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('WorkQueue', () => {
  it('de-duplicates keys that are waiting', async () => {
    const { runs, handler } = controlledHandler();
    const queue = new WorkQueue<string>({ handler, concurrency: 1 });
    queue.add('x');
    await flush();
    for (const key of ['a', 'b', 'a', 'b', 'a']) queue.add(key);
    expect(queue.length()).toBe(2);
    runs[0]?.finish();
    await flush();
    runs[1]?.finish();
    await flush();
    runs[2]?.finish();
    await queue.whenIdle();
    expect(runs.map((r) => r.key)).toEqual(['x', 'a', 'b']);
  });

  it('never runs one key twice at once and re-runs a key added while it runs', async () => {
    const { runs, handler } = controlledHandler();
    const queue = new WorkQueue<string>({ handler, concurrency: 4 });
    queue.add('a');
    await flush();
    expect(runs.map((r) => r.key)).toEqual(['a']);
    queue.add('a');
    queue.add('a');
    await flush();
    expect(runs).toHaveLength(1);
    expect(queue.length()).toBe(0);
    runs[0]?.finish();
    await flush();
    expect(runs.map((r) => r.key)).toEqual(['a', 'a']);
    runs[1]?.finish();
    await queue.whenIdle();
    expect(runs).toHaveLength(2);
  });

  it('bounds concurrency and runs waiting keys in the order they were added', async () => {
    const { runs, handler } = controlledHandler();
    const queue = new WorkQueue<string>({ handler, concurrency: 2 });
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    await flush();
    expect(runs.map((r) => r.key)).toEqual(['a', 'b']);
    expect(queue.stats()).toMatchObject({ ready: 2, processing: 2 });
    runs[1]?.finish();
    await flush();
    expect(runs.map((r) => r.key)).toEqual(['a', 'b', 'c']);
    runs[0]?.finish();
    await flush();
    expect(runs.map((r) => r.key)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('backs off per key exponentially on failure and forgets on success', async () => {
    const clock = new FakeClock();
    const { runs, handler } = controlledHandler();
    const queue = new WorkQueue<string>({ handler, clock });
    queue.add('a');
    await flush();
    runs[0]?.fail(new Error('boom'));
    await flush();
    expect(queue.numRequeues('a')).toBe(1);
    clock.advance(4);
    await flush();
    expect(runs).toHaveLength(1);
    clock.advance(1); // 5 ms: the first retry
    await flush();
    expect(runs).toHaveLength(2);
    runs[1]?.fail(new Error('boom'));
    await flush();
    clock.advance(9);
    await flush();
    expect(runs).toHaveLength(2);
    clock.advance(1); // 10 ms: the second retry
    await flush();
    expect(runs).toHaveLength(3);
    runs[2]?.finish();
    await flush();
    expect(queue.numRequeues('a')).toBe(0);
    expect(queue.stats()).toMatchObject({ failed: 2, retries: 2, completed: 3 });
  });

  it.each([
    // failures → delay: 5 ms doubling
    [1, 5],
    [2, 10],
    [11, 5 * 2 ** 10],
    // capped at 1000 s however many failures
    [30, 1_000_000],
    [5000, 1_000_000],
  ])('client-go backoff after %i failures is %i ms', (failures, delay) => {
    expect(exponentialBackoff(failures, { initialMs: 5, maxMs: 1_000_000 })).toBe(delay);
  });

  it('runs a key after addAfter, keeping the earliest of two delays', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const queue = new WorkQueue<string>({ handler: async (key) => void seen.push(key), clock });
    queue.addAfter('a', 100);
    queue.addAfter('a', 50);
    queue.addAfter('a', 200);
    expect(queue.stats().delayed).toBe(1);
    clock.advance(49);
    await flush();
    expect(seen).toEqual([]);
    clock.advance(1);
    await flush();
    expect(seen).toEqual(['a']);
    clock.advance(1000);
    await flush();
    expect(seen).toEqual(['a']);
  });

  it('requeues after the delay a handler asks for', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const queue = new WorkQueue<string>({
      handler: async (key) => {
        seen.push(key);
        return seen.length < 3 ? { requeueAfterMs: 1000 } : undefined;
      },
      clock,
    });
    queue.add('a');
    await flush();
    clock.advance(1000);
    await flush();
    clock.advance(1000);
    await flush();
    clock.advance(5000);
    await flush();
    expect(seen).toEqual(['a', 'a', 'a']);
  });

  it('follows the error policy: drop forgets, requeue uses its delay', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const queue = new WorkQueue<string>({
      handler: async (key) => {
        seen.push(key);
        throw new Error(key);
      },
      errorPolicy: (key) => (key === 'terminal' ? { action: 'drop' } : { action: 'requeue', afterMs: 300 }),
      clock,
    });
    queue.add('terminal');
    queue.add('transient');
    await flush();
    clock.advance(299);
    await flush();
    expect(seen).toEqual(['terminal', 'transient']);
    clock.advance(1);
    await flush();
    expect(seen).toEqual(['terminal', 'transient', 'transient']);
    expect(queue.numRequeues('terminal')).toBe(0);
    await queue.shutdown(true);
  });

  it('shutdown(true) stops taking work, waits for running keys and hands back the rest', async () => {
    const clock = new FakeClock();
    const { runs, handler } = controlledHandler();
    const queue = new WorkQueue<string>({ handler, concurrency: 1, clock });
    queue.add('a');
    queue.add('b');
    queue.addAfter('c', 10);
    await flush();
    let done = false;
    const stopping = queue.shutdown(true).then((result) => {
      done = true;
      return result;
    });
    await flush();
    expect(done).toBe(false);
    queue.add('d');
    runs[0]?.finish();
    const result = await stopping;
    expect(result.inFlight).toEqual([]);
    expect(result.pending.sort()).toEqual(['b', 'c']);
    clock.advance(100);
    await flush();
    expect(runs.map((r) => r.key)).toEqual(['a']);
    expect(runs[0]?.signal.aborted).toBe(false);
  });

  it('shutdown(false) aborts running handlers and hands their keys back at once', async () => {
    const { runs, handler } = controlledHandler();
    const queue = new WorkQueue<string>({ handler, concurrency: 2 });
    queue.add('a');
    queue.add('b');
    queue.add('c');
    await flush();
    const result = await queue.shutdown(false);
    expect(result.inFlight.sort()).toEqual(['a', 'b']);
    expect(result.pending).toEqual(['c']);
    expect(runs.every((r) => r.signal.aborted)).toBe(true);
    runs[0]?.fail(new Error('aborted'));
    await flush();
    expect(queue.stats()).toMatchObject({ delayed: 0, ready: 0 });
  });
});
