/**
 * Retained V8 heap, for tests that bound what a structure holds: garbage is collected (`gc()`, enabled at
 * run time) before and after building it, so only what stays reachable counts.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settledHeapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The heap bytes `build()`'s result keeps reachable, measured while the result is held. The result is
 * returned too, so the caller can check it is what it should be.
 */
export function retainedHeap<T>(build: () => T): { bytes: number; value: T } {
  const before = settledHeapUsed();
  const value = build();
  const bytes = settledHeapUsed() - before;
  return { bytes, value };
}
