/** One scored result. */
export interface Scored {
  doc: number;
  score: number;
}

/** True when `a` ranks below `b`: a lower score, or the same score and a later document. */
function ranksBelow(a: Scored, b: Scored): boolean {
  return a.score < b.score || (a.score === b.score && a.doc > b.doc);
}

/**
 * The best `capacity` results seen so far, with the weakest on top so it can be evicted in O(log k).
 * Ties are broken by document number, so the same input always gives the same order.
 */
export class TopK {
  private readonly items: Scored[] = [];

  constructor(readonly capacity: number) {}

  /** Number of results held. */
  get size(): number {
    return this.items.length;
  }

  /** The weakest result held, or undefined when empty. */
  weakest(): Scored | undefined {
    return this.items[0];
  }

  /** Offers a result; it is kept when the heap has room or it beats the weakest. */
  offer(item: Scored): void {
    const items = this.items;
    if (items.length < this.capacity) {
      items.push(item);
      let i = items.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!ranksBelow(items[i]!, items[parent]!)) break;
        [items[i], items[parent]] = [items[parent]!, items[i]!];
        i = parent;
      }
      return;
    }
    if (this.capacity === 0 || !ranksBelow(items[0]!, item)) return;
    items[0] = item;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && ranksBelow(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && ranksBelow(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === i) break;
      [items[i], items[smallest]] = [items[smallest]!, items[i]!];
      i = smallest;
    }
  }

  /** The results held, best first. */
  sorted(): Scored[] {
    return [...this.items].sort((a, b) => (ranksBelow(a, b) ? 1 : ranksBelow(b, a) ? -1 : 0));
  }
}
