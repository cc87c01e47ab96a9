import { describe, expect, it } from 'vitest';
import { editDistance, FuzzyTerms } from './fuzzy-terms.ts';
import { type TextDocument, TextIndex } from './text-index.ts';
import { tokenize } from './tokenize.ts';

function product(asin: string, title: string, extra: Partial<TextDocument> = {}): TextDocument {
  return { asin, title, brand: 'Acme', tags: [], description: '', ...extra };
}

function asins(index: TextIndex, query: string, limit = 10, offset = 0): string[] {
  return index.search(query, { limit, offset }).hits.map((hit) => hit.asin);
}

/** A catalogue where "chair" is in a quarter of the titles, as in the bench. */
function catalogue(size: number): TextIndex {
  const index = new TextIndex();
  const woods = ['oak', 'walnut', 'pine', 'birch'];
  const kinds = ['chair', 'table', 'lamp', 'shelf'];
  for (let i = 0; i < size; i++) {
    const asin = `B0${String(i).padStart(8, '0')}`;
    index.upsert(product(asin, `${woods[i % 4]} ${kinds[Math.floor(i / 4) % 4]} model${i}`));
  }
  return index;
}

describe('tokenize', () => {
  it('lower-cases, folds accents and splits on punctuation', () => {
    expect(tokenize('Café  Desk-Lamp 2000!')).toEqual(['cafe', 'desk', 'lamp', '2000']);
  });
});

describe('editDistance and FuzzyTerms', () => {
  it.each([
    ['chair', 'chiar', 1], // adjacent transposition counts once
    ['chair', 'chai', 1], // deletion
    ['chair', 'cheers', 3], // too far: capped at max + 1
  ])('%s → %s is %i', (a, b, expected) => {
    expect(editDistance(a, b, 2)).toBe(Math.min(expected, 3));
  });

  it('finds terms one typo away for short words and two for long ones', () => {
    const fuzzy = new FuzzyTerms();
    ['chair', 'chairs', 'table', 'bookshelf', 'bookshelves'].forEach((term, id) => {
      fuzzy.add(term, id);
    });
    expect(fuzzy.near('chiar').map((hit) => hit.term)).toEqual(['chair']);
    expect(fuzzy.near('bokshelff').map((hit) => hit.term)).toEqual(['bookshelf']);
    expect(fuzzy.near('tab')).toEqual([]);
  });
});

describe('TextIndex', () => {
  it('ranks a title match above a description match', () => {
    const index = new TextIndex();
    index.upsert(product('B0DESC0001', 'Side table', { description: 'goes well with any lamp' }));
    index.upsert(product('B0TITLE001', 'Desk lamp'));
    expect(asins(index, 'lamp')).toEqual(['B0TITLE001', 'B0DESC0001']);
  });

  it('ranks products matching more query terms first', () => {
    const index = new TextIndex();
    index.upsert(product('B0OAK00001', 'Oak shelf'));
    index.upsert(product('B0OAKCHAIR', 'Oak chair'));
    index.upsert(product('B0CHAIR001', 'Pine chair'));
    expect(asins(index, 'oak chair')[0]).toBe('B0OAKCHAIR');
    expect(asins(index, 'oak chair')).toHaveLength(3);
  });

  it('tolerates typos and completes the last word as a prefix', () => {
    const index = new TextIndex();
    index.upsert(product('B0LAMP0001', 'Brass floor lamp', { brand: 'Lumina' }));
    index.upsert(product('B0CHAIR001', 'Walnut armchair'));
    expect(asins(index, 'brsas lamp')).toEqual(['B0LAMP0001']);
    expect(asins(index, 'walnut armch')).toEqual(['B0CHAIR001']);
    expect(asins(index, 'lumnia')).toEqual(['B0LAMP0001']);
  });

  it('finds products by ASIN prefix, case-insensitively', () => {
    const index = new TextIndex();
    index.upsert(product('B0LAMP0001', 'Lamp'));
    index.upsert(product('B0LAMP0002', 'Lamp'));
    index.upsert(product('B0CHAIR001', 'Chair'));
    expect(asins(index, 'b0lamp').sort()).toEqual(['B0LAMP0001', 'B0LAMP0002']);
    expect(asins(index, 'B0CHAIR001')).toEqual(['B0CHAIR001']);
  });

  it('searches tags and brand', () => {
    const index = new TextIndex();
    index.upsert(product('B0TAGGED01', 'Model 7', { tags: ['desk lamp'], brand: 'Nordlys' }));
    expect(asins(index, 'desk')).toEqual(['B0TAGGED01']);
    expect(asins(index, 'nordlys')).toEqual(['B0TAGGED01']);
  });

  it('replaces and removes products', () => {
    const index = new TextIndex();
    index.upsert(product('B0LAMP0001', 'Brass lamp'));
    index.upsert(product('B0LAMP0001', 'Copper lamp'));
    expect(asins(index, 'brass')).toEqual([]);
    expect(asins(index, 'copper')).toEqual(['B0LAMP0001']);
    index.remove('B0LAMP0001');
    expect(asins(index, 'lamp')).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('returns the same results as scoring every match, for common and mixed terms', () => {
    const index = catalogue(2000);
    for (const query of ['chair', 'oak chair', 'walnut lamp model17', 'pine']) {
      const top = index.search(query, { limit: 20 });
      const all = index.search(query, { limit: 2000 }).hits;
      // Exhaustive ranking is the reference: the early-stopping top 20 must equal its first 20 scores.
      expect(top.hits.map((hit) => hit.score)).toEqual(all.slice(0, 20).map((hit) => hit.score));
      expect(top.hasMore).toBe(true);
    }
  });

  it('paginates without overlaps or gaps', () => {
    const index = catalogue(400);
    const pages = [0, 10, 20].map((offset) => asins(index, 'chair', 10, offset));
    const all = asins(index, 'chair', 30);
    expect(pages.flat()).toEqual(all);
    expect(new Set(pages.flat()).size).toBe(30);
  });

  it('finds nothing for an empty or unknown query', () => {
    const index = catalogue(50);
    expect(index.search('   ', { limit: 10 })).toEqual({ hits: [], hasMore: false });
    expect(index.search('zzzzqqq', { limit: 10 })).toEqual({ hits: [], hasMore: false });
  });
});

describe('TextIndex ranking tiers and stop words', () => {
  it('ranks an exact match of a query word above a rarer word that merely starts with it', () => {
    const index = new TextIndex();
    // "home" is common; "homestead" is rare, so its idf is high: a prefix match must still rank below "home".
    index.upsert(product('B0BRAND001', 'Lumina Home floor lamp', { brand: 'Lumina Home' }));
    for (let i = 0; i < 30; i++)
      index.upsert(product(`B0HOME${String(i).padStart(4, '0')}`, `home chair ${i}`));
    index.upsert(product('B0PREFIX01', 'Homestead lumina table'));
    const ranked = asins(index, 'lumina home', 40);
    expect(ranked[0]).toBe('B0BRAND001');
    expect(ranked.indexOf('B0BRAND001')).toBeLessThan(ranked.indexOf('B0PREFIX01'));
  });

  it.each([
    // exact beats one typo, in a weaker field than the typo's
    ['lamp', 'B0EXACT001', { description: 'a lamp' }, 'B0TYPO0001', 'Lump'],
    // one typo beats a prefix completion, even in the title
    ['chiar', 'B0TYPO0001', {}, 'B0PREFIX01', 'chiarascuro'],
  ])('for "%s", %s outranks %s', (query, better, betterExtra, worse, worseTitle) => {
    const index = new TextIndex();
    index.upsert(product(better, query === 'lamp' ? 'Brass fixture' : 'Oak chair', betterExtra));
    index.upsert(product(worse, worseTitle));
    expect(asins(index, query)).toEqual([better, worse]);
  });

  it('drops stop words from a query that has other words, and still answers a query of stop words only', () => {
    const index = new TextIndex();
    index.upsert(product('B0THELAMP1', 'The lamp of the north'));
    index.upsert(product('B0CHAIR001', 'The oak chair'));
    index.upsert(product('B0SOFA0001', 'Linen sofa'));
    expect(asins(index, 'the lamp')).toEqual(['B0THELAMP1']);
    expect(asins(index, 'lamp for the')).toEqual(['B0THELAMP1']);
    expect(asins(index, 'the').sort()).toEqual(['B0CHAIR001', 'B0THELAMP1']);
  });
});
