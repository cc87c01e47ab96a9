import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createAssetUrls } from './asset-urls.ts';
import type { PublishedAsset } from './catalog/published-asset.ts';

function asset(overrides: Partial<PublishedAsset> = {}): PublishedAsset {
  return {
    asin: 'B0CHAIR001',
    source: 'shop/chair',
    version: 3,
    product: { title: 'Oak chair', brand: 'Lumina', tags: ['chair'], description: '' },
    bucket: 'assets',
    prefix: 'assets/B0 CHAIR?/versions/3/',
    frameCount: 36,
    descriptorsUri: undefined,
    publishedAt: '2026-11-21T10:00:00.000Z',
    resourceVersion: '4711',
    ...overrides,
  };
}

/** A client that signs locally (no request is ever sent) and counts the signatures it makes. */
function countingClient(): { s3: S3Client; signatures: () => number } {
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  let count = 0;
  s3.middlewareStack.add(
    (next) => async (args) => {
      count++;
      return next(args);
    },
    { step: 'build', name: 'countSignatures' },
  );
  return { s3, signatures: () => count };
}

describe('posterUrl', () => {
  it('gives the bundle’s poster URL through the CDN, building that one URL', async () => {
    const { s3 } = countingClient();
    const urls = createAssetUrls({ cdnBaseUrl: 'https://cdn.example.com', s3, ttlSeconds: 3600 });
    const encode = globalThis.encodeURIComponent;
    let encoded = 0;
    globalThis.encodeURIComponent = (value) => {
      encoded++;
      return encode(value);
    };
    let poster: string;
    try {
      poster = await urls.posterUrl(asset());
    } finally {
      globalThis.encodeURIComponent = encode;
    }
    expect(poster).toBe((await urls.urls(asset())).posterUrl);
    expect(poster).toBe('https://cdn.example.com/assets/B0%20CHAIR%3F/versions/3/renders/poster.webp');
    // The key's six segments, not the 40 URLs of the whole bundle.
    expect(encoded).toBe(6);
  });

  it('presigns the poster alone, once per half lifetime, and reuses a signed bundle', async () => {
    const { s3, signatures } = countingClient();
    let clock = 1_000_000;
    const urls = createAssetUrls({ s3, ttlSeconds: 3600, now: () => clock });
    const poster = await urls.posterUrl(asset());
    expect(poster).toMatch(
      /^https:\/\/assets\.s3\.[a-z0-9-]+\.amazonaws\.com\/assets\/B0%20CHAIR%3F\/versions\/3\/renders\/poster\.webp\?.*X-Amz-Signature=/,
    );
    expect(signatures()).toBe(1);
    expect(await urls.posterUrl(asset())).toBe(poster);
    expect(signatures()).toBe(1);

    clock += 1_800_001;
    await urls.posterUrl(asset());
    expect(signatures()).toBe(2);

    const other = asset({ asin: 'B0LAMP0001', prefix: 'assets/B0LAMP0001/versions/1/' });
    const bundle = await urls.urls(other);
    const before = signatures();
    expect(await urls.posterUrl(other)).toBe(bundle.posterUrl);
    expect(signatures()).toBe(before);
  });
});
