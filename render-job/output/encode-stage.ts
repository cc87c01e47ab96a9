/**
 * The encode stage between the render loop and the output: a bounded queue of at most `width` tasks in
 * flight. `push` waits for a free slot, so the producer (the render loop) is slowed to the encoders' pace
 * instead of piling frames up in memory: the stage holds at most `width` frames whatever the frame count.
 */

/** A running stage. */
export interface EncodeStage {
  /** Frames being encoded at most. */
  readonly width: number;
  /** Starts `task` once a slot is free; rethrows the first failure of any earlier task. */
  push(task: () => Promise<void>): Promise<void>;
  /** Waits for every task; rethrows the first failure. */
  drain(): Promise<void>;
}

/**
 * Creates an {@link EncodeStage} of `width` slots (at least 1).
 *
 * @example
 * ```ts
 * const stage = createEncodeStage(16);
 * for (const frame of frames) await stage.push(() => encode(frame));
 * await stage.drain();
 * ```
 */
export function createEncodeStage(width: number): EncodeStage {
  const limit = Math.max(1, Math.floor(width));
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const check = () => {
    if (failure) throw failure.error;
  };
  return {
    width: limit,
    async push(task: () => Promise<void>): Promise<void> {
      check();
      while (running.size >= limit) {
        await Promise.race(running);
        check();
      }
      const promise: Promise<void> = task()
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => running.delete(promise));
      running.add(promise);
    },
    async drain(): Promise<void> {
      await Promise.all(running);
      check();
    },
  };
}
