import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createAssetUrls } from '../../../asset-urls.ts';
import type { PublishedAsset } from '../../../catalog/published-asset.ts';
import { AnswerCache, assetAnswer, cdnAssetAnswer } from './asset-answer.ts';

function asset(overrides: Partial<PublishedAsset> = {}): PublishedAsset {
  return {
    asin: 'B0CHAIR001',
    source: 'shop/chair',
    version: 3,
    product: {
      title: 'Oak "Nordic" chair – ø 45',
      brand: 'Lumina\\Home',
      tags: ['chair', 'é'],
      description: 'line\nbreak',
    },
    bucket: 'assets',
    prefix: 'assets/B0CHAIR001/versions/3/',
    frameCount: 36,
    descriptorsUri: undefined,
    publishedAt: '2026-11-21T10:00:00.000Z',
    resourceVersion: '4711',
    ...overrides,
  };
}

describe('cdnAssetAnswer', () => {
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  const urls = createAssetUrls({ cdnBaseUrl: 'https://cdn.example.com/base', s3, ttlSeconds: 3600 });

  it.each([
    ['a plain asset', asset()],
    ['a prefix that needs percent-encoding', asset({ prefix: 'assets/B0 CHAIR?#/versions/3/' })],
    ['no frames', asset({ frameCount: 0 })],
    ['one frame', asset({ frameCount: 1 })],
    ['a version with a USDZ', asset({ arModel: true })],
  ])('serialises %s to the same bytes as the general path', async (_name, value) => {
    const fast = cdnAssetAnswer(value, 'https://cdn.example.com/base');
    const general = assetAnswer(value, await urls.urls(value));
    expect(fast.body).toBe(general.body);
    expect(JSON.parse(fast.body).spin.frames).toHaveLength(value.frameCount);
  });

  it('names the USDZ for AR Quick Look only when the version has one', async () => {
    const withAr = JSON.parse(
      assetAnswer(asset({ arModel: true }), await urls.urls(asset({ arModel: true }))).body,
    );
    expect(withAr.usdzUrl).toBe('https://cdn.example.com/base/assets/B0CHAIR001/versions/3/model.usdz');
    const without = JSON.parse(assetAnswer(asset(), await urls.urls(asset())).body);
    expect(without).not.toHaveProperty('usdzUrl');
  });

  it('changes the ETag when the asset object or the CDN changes, and only then', () => {
    const etag = cdnAssetAnswer(asset(), 'https://cdn.example.com').etag;
    expect(cdnAssetAnswer(asset(), 'https://cdn.example.com').etag).toBe(etag);
    expect(cdnAssetAnswer(asset({ resourceVersion: '4712' }), 'https://cdn.example.com').etag).not.toBe(etag);
    expect(cdnAssetAnswer(asset({ version: 4 }), 'https://cdn.example.com').etag).not.toBe(etag);
    expect(cdnAssetAnswer(asset({ source: 'outlet/chair' }), 'https://cdn.example.com').etag).not.toBe(etag);
    expect(cdnAssetAnswer(asset(), 'https://cdn2.example.com').etag).not.toBe(etag);
  });
});

describe('AnswerCache', () => {
  it('keeps the most recently used answers up to its capacity', () => {
    const cache = new AnswerCache(2);
    const [a, b, c] = [asset({ asin: 'A' }), asset({ asin: 'B' }), asset({ asin: 'C' })];
    const answer = { body: '{}', etag: '"x"' };
    for (const value of [a, a, b, b]) cache.set(value, answer);
    expect(cache.get(a)).toBe(answer);
    for (const value of [c, c]) cache.set(value, answer);
    expect(cache.get(b)).toBeUndefined();
    expect(cache.get(a)).toBe(answer);
    expect(cache.size).toBe(2);
    cache.delete(a);
    expect(cache.get(a)).toBeUndefined();
  });

  it('admits an answer on its asset’s second offer, so one-off lookups never reach the old generation', () => {
    const cache = new AnswerCache(3);
    const answer = { body: '{}', etag: '"x"' };
    const once = Array.from({ length: 10 }, (_, i) => asset({ asin: `ONCE${i}` }));
    for (const value of once) cache.set(value, answer);
    expect(cache.size).toBe(0);
    const twice = asset({ asin: 'TWICE' });
    cache.set(twice, answer);
    expect(cache.get(twice)).toBeUndefined();
    cache.set(twice, answer);
    expect(cache.get(twice)).toBe(answer);
    // The doorkeeper is bounded: past its capacity it forgets, and an asset starts over.
    const early = asset({ asin: 'EARLY' });
    cache.set(early, answer);
    for (const value of once) cache.set(value, answer);
    cache.set(early, answer);
    expect(cache.get(early)).toBeUndefined();
  });
});
