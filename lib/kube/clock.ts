/** A handle on a scheduled callback. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time as the runtime library sees it. Production code uses {@link systemClock}; tests use
 * {@link FakeClock} to move time by hand.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` after `ms` milliseconds. */
  setTimer(ms: number, callback: () => void): TimerHandle;
}

/** The real clock. Timers are `unref`'d so a pending retry never keeps a process alive on its own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, callback) {
    const timer = setTimeout(callback, Math.max(0, ms));
    timer.unref?.();
    return { cancel: () => clearTimeout(timer) };
  },
};

/**
 * A clock that only moves when told to, for deterministic tests of backoff and delays.
 *
 * Caveats: timers fire synchronously inside {@link FakeClock.advance}, in due order; a callback that
 * schedules another timer due within the same advance sees it fire in the same call.
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 0;
  private readonly timers = new Map<number, { due: number; callback: () => void }>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, callback: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { due: this.current + Math.max(0, ms), callback });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Number of timers not yet fired or cancelled. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextDue = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.timers) {
        if (timer.due <= target && (timer.due < nextDue || (timer.due === nextDue && id < (nextId ?? id)))) {
          nextId = id;
          nextDue = timer.due;
        }
      }
      if (nextId === undefined) break;
      const timer = this.timers.get(nextId);
      this.timers.delete(nextId);
      this.current = Math.max(this.current, nextDue);
      timer?.callback();
    }
    this.current = target;
  }
}
