/**
 * Typo tolerance: finds the vocabulary terms within a small edit distance of a query term without comparing
 * it to every term (the symmetric-delete method of SymSpell: a term and a typo of it share a deletion).
 */

/** The edit distance a term of this length may be off by: none below 4 letters, 1 below 8, else 2. */
export function allowedEdits(length: number): number {
  if (length < 4) return 0;
  return length < 8 ? 1 : 2;
}

function deletions(term: string, depth: number, out: Set<string>): void {
  if (depth === 0 || term.length <= 1) return;
  for (let i = 0; i < term.length; i++) {
    const shorter = term.slice(0, i) + term.slice(i + 1);
    if (out.has(shorter)) continue;
    out.add(shorter);
    deletions(shorter, depth - 1, out);
  }
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), abandoned above `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const previous2 = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  let before = previous2;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, before[j - 2]! + 1);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/** The deletion index over a growing vocabulary. Terms are numbered by the caller. */
export class FuzzyTerms {
  private readonly byDeletion = new Map<string, number[]>();
  private readonly terms: string[] = [];
  private readonly idOf = new Map<string, number>();

  /** Adds a term (once) under its number. */
  add(term: string, id: number): void {
    if (this.idOf.has(term)) return;
    this.idOf.set(term, id);
    this.terms[id] = term;
    const keys = new Set<string>();
    deletions(term, allowedEdits(term.length), keys);
    for (const key of keys) {
      const list = this.byDeletion.get(key);
      if (list) list.push(id);
      else this.byDeletion.set(key, [id]);
    }
  }

  /**
   * Terms within {@link allowedEdits} of `query`, the exact term excluded, with their distance.
   *
   * @example
   * ```ts
   * fuzzy.near('chiar') // [{id: 7, term: 'chair', distance: 1}]
   * ```
   */
  near(query: string): Array<{ id: number; term: string; distance: number }> {
    const max = allowedEdits(query.length);
    if (max === 0) return [];
    const keys = new Set<string>([query]);
    deletions(query, max, keys);
    const candidates = new Set<number>();
    for (const key of keys) {
      const exact = this.idOf.get(key);
      if (exact !== undefined) candidates.add(exact);
      for (const id of this.byDeletion.get(key) ?? []) candidates.add(id);
    }
    const out: Array<{ id: number; term: string; distance: number }> = [];
    for (const id of candidates) {
      const term = this.terms[id]!;
      if (term === query) continue;
      const distance = editDistance(query, term, max);
      if (distance <= max) out.push({ id, term, distance });
    }
    return out.sort((a, b) => a.distance - b.distance || (a.term < b.term ? -1 : 1));
  }
}
