import { describe, expect, it } from 'vitest';
import { retainedHeap } from '../../test/support/memory/retained-heap.ts';
import { internString, internStrings } from './intern-strings.ts';

/** A condition as the apiserver sends it, parsed from its own JSON text as an informer parses a page. */
function parsedCondition(index: number) {
  return JSON.parse(
    JSON.stringify({
      type: 'Validated',
      status: 'True',
      reason: 'ValidationPassed',
      message: 'Revision 1 passed: 0 error(s), 0 warning(s) in cleanup, uv and texturing.',
      observedGeneration: 1,
      lastTransitionTime: '2026-12-05T12:00:00.000Z',
      labels: ['pipeline.shazam.dev/v1alpha1', `asset-${index}`],
    }),
  ) as Record<string, unknown>;
}

describe('internStrings', () => {
  it('replaces strings with equal ones, deeply and in place, and leaves other values alone', () => {
    const value = {
      a: 'text',
      n: 3,
      flag: true,
      none: null,
      list: ['x', 7, { deep: 'y', '1': 'one' }, [['z']]],
      ['__proto__' as string]: 'own',
    };
    const copy = structuredClone(value);
    expect(internStrings(value)).toBe(value);
    expect(value).toEqual(copy);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(internString('42')).toBe('42');
    expect(internString('')).toBe('');
    expect(internStrings('plain')).toBe('plain');
  });

  it('holds each repeated value once: a cache of parsed objects shrinks by the copies JSON.parse made', () => {
    const count = 4_000;
    const plain = retainedHeap(() => Array.from({ length: count }, (_, i) => parsedCondition(i)));
    const interned = retainedHeap(() =>
      Array.from({ length: count }, (_, i) => internStrings(parsedCondition(i))),
    );
    expect(interned.value).toEqual(plain.value);
    // Four long strings per object are shared once interned (the per-object name and the object stay).
    expect(interned.bytes).toBeLessThan(plain.bytes * 0.6);
  });
});
