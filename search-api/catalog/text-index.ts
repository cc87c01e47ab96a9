/**
 * Text search over the catalogue: an inverted index whose postings are sorted by impact (how much a term
 * contributes to a product's score), read with Fagin's threshold algorithm so a query stops as soon as the
 * best k products are known. A term found in a quarter of the catalogue costs k postings, not 25,000 scores.
 */
import { allowedEdits, FuzzyTerms } from './fuzzy-terms.ts';
import { type Scored, TopK } from './min-heap.ts';
import { tokenize } from './tokenize.ts';

/** The searchable fields of one product. */
export interface TextDocument {
  asin: string;
  title: string;
  brand: string;
  tags: readonly string[];
  description: string;
}

/** One search hit. */
export interface TextHit {
  asin: string;
  score: number;
}

/** Options of {@link TextIndex.search}. */
export interface TextSearchOptions {
  /** Number of hits to return. */
  limit: number;
  /** Number of best hits to skip (pagination). */
  offset?: number;
}

/** A page of hits and whether more follow. */
export interface TextSearchResult {
  hits: TextHit[];
  hasMore: boolean;
}

/** How much a match in each field counts; a title match outranks a description match. */
const FIELD_WEIGHTS = { title: 3, brand: 2, tags: 2, description: 0.5 } as const;
/** Typical length of each field in terms, for BM25's length normalisation (fixed so impacts never change). */
const FIELD_LENGTHS = { title: 6, brand: 2, tags: 4, description: 40 } as const;
const K1 = 1.2;
const B = 0.5;
/**
 * How a query term matched a product, as a tier: for one query term, any exact match outranks any match one
 * edit away, which outranks any two edits away, which outranks a prefix completion. Within a tier the field
 * weights and BM25 decide. A term's score is idf × (tier + impact ÷ {@link MAX_IMPACT}), and the impact part
 * stays below 1, so tiers never overlap; every match adds at least idf × 1, so products matching more query
 * terms still come first.
 */
const TIER = { exact: 4, oneEdit: 3, twoEdits: 2, prefix: 1 } as const;
const TYPO_TIER = [TIER.exact, TIER.oneEdit, TIER.twoEdits] as const;
/** Above the largest impact a term can have in one product (every field's weight × BM25's ceiling, K1 + 1). */
const MAX_IMPACT = 1.001 * (K1 + 1) * (3 + 2 + 2 + 0.5);
/** Query terms beyond this are ignored; alternatives per query term beyond this are dropped (rarest first). */
const MAX_QUERY_TERMS = 8;
const MAX_ALTERNATIVES = 24;
/** An ASIN prefix needs this many characters, so "b0" does not match the whole catalogue. */
const MIN_ASIN_PREFIX = 4;
/**
 * English words too common to tell products apart. A query's stop words are dropped unless the query has
 * nothing else ("the" alone still searches); they never match by prefix or typo.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by for from has have in into is it its of on or set so that the their this ' +
    'to was were will with without'
  ).split(' '),
);
/**
 * Documents scored before a query stops early, at least: common terms that rarely occur together would
 * otherwise read all their postings before the threshold algorithm can prove nothing better exists.
 */
const MIN_SCORING_BUDGET = 4000;

interface Posting {
  doc: number;
  impact: number;
}

interface Term {
  id: number;
  text: string;
  postings: Posting[];
  /** Postings were added since the last sort. */
  dirty: boolean;
}

interface Doc {
  asin: string;
  /** Term numbers of the document, with the impact of each. */
  terms: Map<number, number>;
}

/**
 * A query term's alternative: a term (exact, prefix or typo) or an ASIN prefix. It scores
 * `weight × (tier + impact / MAX_IMPACT)`; an ASIN prefix counts as an exact match of full impact.
 */
type Alternative =
  | { kind: 'term'; term: Term; weight: number; tier: number }
  | { kind: 'asin'; prefix: string; weight: number; tier: number };

/** What an alternative adds for a product in which its term has `impact`. */
function alternativeScore(alternative: Alternative, impact: number): number {
  return alternative.weight * (alternative.tier + impact / MAX_IMPACT);
}

/** Reads one alternative's postings in descending score order. */
interface Stream {
  peek(): number;
  next(): number | undefined;
}

function bm25(tf: number, length: number, typical: number): number {
  return (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / typical));
}

/** Impact of each term of a document: field-weighted BM25 with fixed length norms. */
function impacts(document: TextDocument): Map<string, number> {
  const out = new Map<string, number>();
  const fields: Array<[keyof typeof FIELD_WEIGHTS, string[]]> = [
    ['title', tokenize(document.title)],
    ['brand', tokenize(document.brand)],
    ['tags', document.tags.flatMap((tag) => tokenize(tag))],
    ['description', tokenize(document.description)],
  ];
  for (const [field, tokens] of fields) {
    const counts = new Map<string, number>();
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    for (const [token, tf] of counts) {
      const value = FIELD_WEIGHTS[field] * bm25(tf, tokens.length, FIELD_LENGTHS[field]);
      out.set(token, (out.get(token) ?? 0) + value);
    }
  }
  return out;
}

function byImpact(a: Posting, b: Posting): number {
  return b.impact - a.impact || a.doc - b.doc;
}

/** First index in sorted `values` whose value is ≥ `key`. */
function lowerBound(values: readonly string[], key: string): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (values[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The text index. Add, replace and remove products one by one as the catalogue changes; queries see every
 * change made before them.
 *
 * Guarantees: results are ranked by score, ties by an internal document number, so pages of a query agree.
 * Typo tolerance: a query term of 4–7 letters matches terms one edit away, of 8 or more two edits; the last
 * query term also matches as a prefix (as-you-type); a term of 4+ letters or digits matches ASIN prefixes.
 * Per query term, an exact match outranks a typo match, which outranks a prefix match ({@link TIER}); stop
 * words ({@link STOP_WORDS}) are dropped from queries that have other words.
 * Caveats: the top k are exact unless a query scores more than max(4000, 20·k) documents without proving
 * them (several common terms that rarely occur together); it then stops and ranks the best seen, which are
 * the products that match the query terms most strongly one by one.
 *
 * @example
 * ```ts
 * const index = new TextIndex();
 * index.upsert({ asin: 'B0CHAIR001', title: 'Oak chair', brand: 'Nordic', tags: ['chair'], description: '' });
 * index.search('oak chiar', { limit: 10 }); // {hits: [{asin: 'B0CHAIR001', score: …}], hasMore: false}
 * ```
 */
export class TextIndex {
  private readonly terms = new Map<string, Term>();
  private readonly termsById: Term[] = [];
  private readonly fuzzy = new FuzzyTerms();
  private readonly docs: Array<Doc | undefined> = [];
  private readonly docByAsin = new Map<string, number>();
  private readonly freeDocs: number[] = [];
  private sortedTerms: string[] = [];
  private sortedTermsDirty = false;
  private sortedAsins: string[] = [];
  private sortedAsinsDirty = false;

  /** Number of indexed products. */
  get size(): number {
    return this.docByAsin.size;
  }

  /** Indexes a product, replacing what was indexed under its ASIN. */
  upsert(document: TextDocument): void {
    this.remove(document.asin);
    const doc = this.freeDocs.pop() ?? this.docs.length;
    const terms = new Map<number, number>();
    for (const [text, impact] of impacts(document)) {
      const term = this.term(text);
      term.postings.push({ doc, impact });
      term.dirty = true;
      terms.set(term.id, impact);
    }
    this.docs[doc] = { asin: document.asin, terms };
    this.docByAsin.set(document.asin, doc);
    this.sortedAsinsDirty = true;
  }

  /** Removes a product; a no-op for an unknown ASIN. */
  remove(asin: string): void {
    const doc = this.docByAsin.get(asin);
    if (doc === undefined) return;
    const entry = this.docs[doc]!;
    for (const id of entry.terms.keys()) {
      const term = this.termsById[id]!;
      // Removal keeps the order, so the list stays sorted.
      term.postings = term.postings.filter((posting) => posting.doc !== doc);
    }
    this.docs[doc] = undefined;
    this.docByAsin.delete(asin);
    this.freeDocs.push(doc);
    this.sortedAsinsDirty = true;
  }

  /**
   * Does now the sorting that queries would otherwise do lazily after changes (postings of changed terms, the
   * term and ASIN lists). Call it after a bulk load, before serving, so no shopper's query pays for it.
   */
  prepare(): void {
    for (const term of this.termsById) {
      if (term.dirty) {
        term.postings.sort(byImpact);
        term.dirty = false;
      }
    }
    this.termsWithPrefix('');
    this.asinRange('');
  }

  /** Finds the best products for a free-text query. An empty query finds nothing. */
  search(query: string, options: TextSearchOptions): TextSearchResult {
    const offset = options.offset ?? 0;
    const k = offset + options.limit + 1;
    const all = [...new Set(tokenize(query))];
    const meaningful = all.filter((token) => !STOP_WORDS.has(token));
    const tokens = (meaningful.length > 0 ? meaningful : all).slice(0, MAX_QUERY_TERMS);
    const groups = tokens
      .map((token, index) => this.alternatives(token, index === tokens.length - 1))
      .filter((group) => group.length > 0);
    if (groups.length === 0 || options.limit <= 0) return { hits: [], hasMore: false };
    const top = this.thresholdTopK(groups, k);
    const ranked = top.sorted();
    return {
      hits: ranked.slice(offset, offset + options.limit).map(({ doc, score }) => ({
        asin: this.docs[doc]!.asin,
        score: Math.round(score * 1000) / 1000,
      })),
      hasMore: ranked.length > offset + options.limit,
    };
  }

  private term(text: string): Term {
    let term = this.terms.get(text);
    if (!term) {
      term = { id: this.termsById.length, text, postings: [], dirty: false };
      this.terms.set(text, term);
      this.termsById.push(term);
      this.fuzzy.add(text, term.id);
      this.sortedTermsDirty = true;
    }
    return term;
  }

  private idf(term: Term): number {
    const n = this.docByAsin.size;
    const df = term.postings.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  private termsWithPrefix(prefix: string): Term[] {
    if (this.sortedTermsDirty) {
      this.sortedTerms = [...this.terms.keys()].sort();
      this.sortedTermsDirty = false;
    }
    const out: Term[] = [];
    for (let i = lowerBound(this.sortedTerms, prefix); i < this.sortedTerms.length; i++) {
      const text = this.sortedTerms[i]!;
      if (!text.startsWith(prefix)) break;
      if (text !== prefix) out.push(this.terms.get(text)!);
    }
    return out;
  }

  private asinRange(prefix: string): [number, number] {
    if (this.sortedAsinsDirty) {
      this.sortedAsins = [...this.docByAsin.keys()].sort();
      this.sortedAsinsDirty = false;
    }
    const upper = prefix.toUpperCase();
    const start = lowerBound(this.sortedAsins, upper);
    let end = start;
    while (end < this.sortedAsins.length && this.sortedAsins[end]!.startsWith(upper)) end++;
    return [start, end];
  }

  /**
   * The ways one query term can match, each with its tier. All share one weight, the idf of the query term
   * (of the exact term when indexed, else of the most common alternative, the likeliest meaning of a typo or
   * a prefix), so a rare word that merely starts like the query term cannot outrank the term itself.
   */
  private alternatives(token: string, isLast: boolean): Alternative[] {
    const found: Array<{ term: Term; tier: number }> = [];
    const seen = new Set<number>();
    const add = (term: Term, tier: number): void => {
      if (seen.has(term.id) || term.postings.length === 0) return;
      seen.add(term.id);
      found.push({ term, tier });
    };
    const exact = this.terms.get(token);
    if (exact) add(exact, TIER.exact);
    if (!STOP_WORDS.has(token)) {
      if (allowedEdits(token.length) > 0) {
        for (const near of this.fuzzy.near(token)) {
          const tier = TYPO_TIER[near.distance];
          if (tier !== undefined) add(this.termsById[near.id]!, tier);
        }
      }
      if (isLast && token.length >= 2) for (const term of this.termsWithPrefix(token)) add(term, TIER.prefix);
    }
    // Keep the best tiers, and within a tier the rarest terms.
    found.sort((a, b) => b.tier - a.tier || a.term.postings.length - b.term.postings.length);
    found.length = Math.min(found.length, MAX_ALTERNATIVES);
    let weight = 0;
    if (exact && exact.postings.length > 0) weight = this.idf(exact);
    else
      for (const { term } of found) weight = weight === 0 ? this.idf(term) : Math.min(weight, this.idf(term));
    const out: Alternative[] = found.map(({ term, tier }) => ({ kind: 'term', term, weight, tier }));
    if (token.length >= MIN_ASIN_PREFIX && /^[a-z0-9]+$/.test(token)) {
      const [start, end] = this.asinRange(token);
      if (end > start) {
        // As rare as the rarest word: a product whose ASIN starts so is what the shopper typed.
        const asinWeight = Math.log(1 + (this.docByAsin.size + 0.5) / 1.5);
        out.push({ kind: 'asin', prefix: token.toUpperCase(), weight: asinWeight, tier: TIER.exact });
      }
    }
    for (const alternative of out) {
      if (alternative.kind === 'term' && alternative.term.dirty) {
        alternative.term.postings.sort(byImpact);
        alternative.term.dirty = false;
      }
    }
    return out;
  }

  private stream(alternative: Alternative): Stream {
    if (alternative.kind === 'asin') {
      let [position, end] = this.asinRange(alternative.prefix);
      const asins = this.sortedAsins;
      return {
        peek: () => (position < end ? alternativeScore(alternative, MAX_IMPACT) : 0),
        next: () => (position < end ? this.docByAsin.get(asins[position++]!) : undefined),
      };
    }
    const { postings } = alternative.term;
    let position = 0;
    return {
      peek: () =>
        position < postings.length ? alternativeScore(alternative, postings[position]!.impact) : 0,
      next: () => postings[position++]?.doc,
    };
  }

  /** A query term's score for one document: its best-matching alternative. */
  private groupScore(group: Alternative[], doc: Doc): number {
    let best = 0;
    for (const alternative of group) {
      let value = 0;
      if (alternative.kind === 'term') {
        const impact = doc.terms.get(alternative.term.id);
        if (impact !== undefined) value = alternativeScore(alternative, impact);
      } else if (doc.asin.startsWith(alternative.prefix)) {
        value = alternativeScore(alternative, MAX_IMPACT);
      }
      if (value > best) best = value;
    }
    return best;
  }

  /**
   * Fagin's threshold algorithm: read every query term's postings in descending score order, score each new
   * document fully, and stop once the k-th best score reaches the best score an unseen document could have.
   */
  private thresholdTopK(groups: Alternative[][], k: number): TopK {
    const top = new TopK(k);
    const seen = new Set<number>();
    const streams = groups.map((group) => group.map((alternative) => this.stream(alternative)));
    const budget = Math.max(MIN_SCORING_BUDGET, 20 * k);
    const bound = (index: number): number => {
      let best = 0;
      for (const stream of streams[index]!) best = Math.max(best, stream.peek());
      return best;
    };
    for (;;) {
      let progressed = false;
      for (let g = 0; g < streams.length; g++) {
        // Sorted access on the group's alternative with the highest next score.
        let chosen: Stream | undefined;
        let chosenScore = 0;
        for (const stream of streams[g]!) {
          const score = stream.peek();
          if (score > chosenScore) {
            chosen = stream;
            chosenScore = score;
          }
        }
        if (!chosen) continue;
        const doc = chosen.next();
        progressed = true;
        if (doc === undefined || seen.has(doc)) continue;
        seen.add(doc);
        const entry = this.docs[doc];
        if (!entry) continue;
        let score = 0;
        for (const group of groups) score += this.groupScore(group, entry);
        top.offer({ doc, score } satisfies Scored);
      }
      if (!progressed || seen.size >= budget) break;
      if (top.size >= k) {
        let threshold = 0;
        for (let g = 0; g < streams.length; g++) threshold += bound(g);
        if (top.weakest()!.score >= threshold) break;
      }
    }
    return top;
  }
}
