import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { s3Client } from '../test/harness/index.ts';
import { buildApp } from './app.ts';
import { Catalog } from './catalog/catalog.ts';
import { SEARCH_API_DEFAULTS } from './config.ts';
import { testAppConfig } from './test-support/app-config.ts';
import { assetSubmission, publishedAssetFrom } from './test-support/asset-submission.ts';

const config = testAppConfig({ corsOrigins: ['https://shop.example.com'], maxUploadBytes: 200_000 });

/** A real, valid 1-bit PNG of side × side black pixels: ~100 KB on the wire, 900 megapixels decoded. */
function decompressionBomb(side: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc((1 + Math.ceil(side / 8)) * side);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function catalogWith(count: number): Catalog {
  const catalog = new Catalog(DESCRIPTOR_DIMS);
  const kinds = ['chair', 'table', 'lamp', 'sofa'];
  for (let i = 0; i < count; i++) {
    const asin = `B0TEST${String(i).padStart(4, '0')}`;
    const built = assetSubmission(`s${i}`, 'shop', asin)
      .withProduct({
        title: `Oak ${kinds[i % 4]} ${i}`,
        brand: i % 2 ? 'Nordic' : 'Lumina',
        tags: [kinds[i % 4]!],
      })
      .published(2, 'assets-bucket')
      .build();
    const asset = publishedAssetFrom(built);
    catalog.apply(asset.source, asset);
    // A two-frame "turntable" per product: distinct directions in descriptor space.
    const vector = (offset: number) =>
      Array.from({ length: DESCRIPTOR_DIMS }, (_, d) => (d === i * 2 + offset ? 1 : 0));
    catalog.setDescriptors(asset, [
      { index: 0, vector: vector(0) },
      { index: 1, vector: vector(1) },
    ]);
  }
  return catalog;
}

describe('search API over a filled catalogue', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  const s3 = s3Client();

  beforeAll(async () => {
    app = await buildApp({ config, s3, catalog: catalogWith(40) });
  });
  afterAll(async () => {
    await app.close();
    s3.destroy();
  });

  it('looks an asset up by ASIN with CDN URLs, an ETag and Cache-Control', async () => {
    const response = await app.inject({ url: '/v1/assets/B0TEST0003' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      asin: 'B0TEST0003',
      version: 2,
      product: { title: 'Oak sofa 3', brand: 'Nordic', tags: ['sofa'] },
      glbUrl: 'https://cdn.example.com/assets/B0TEST0003/versions/2/model.glb',
      webGlbUrl: 'https://cdn.example.com/assets/B0TEST0003/versions/2/model.web.glb',
      posterUrl: 'https://cdn.example.com/assets/B0TEST0003/versions/2/renders/poster.webp',
    });
    expect(body.spin.frameCount).toBe(36);
    expect(body.spin.frames[35]).toBe(
      'https://cdn.example.com/assets/B0TEST0003/versions/2/renders/360/035.webp',
    );
    expect(response.headers['cache-control']).toBe('public, max-age=60');
    const again = await app.inject({
      url: '/v1/assets/B0TEST0003',
      headers: { 'if-none-match': response.headers.etag },
    });
    expect(again.statusCode).toBe(304);
  });

  it.each([
    // well-formed but not published
    ['/v1/assets/B0NOTHERE1', 404, 'SHAZAM_SEARCH_ASSET_NOT_FOUND', /no published asset for ASIN B0NOTHERE1/],
    // lower case, wrong length
    ['/v1/assets/b0test', 400, 'SHAZAM_SEARCH_BAD_REQUEST', /params asin must match pattern/],
    // q is required
    ['/v1/search', 400, 'SHAZAM_SEARCH_BAD_REQUEST', /must have required property 'q'/],
    // limits are bounded
    ['/v1/search?q=oak&limit=500', 400, 'SHAZAM_SEARCH_BAD_REQUEST', /limit must be <= 50/],
    ['/v1/search?q=oak&limit=abc', 400, 'SHAZAM_SEARCH_BAD_REQUEST', /limit must be integer/],
    // unknown parameters are typos
    ['/v1/search?q=oak&page=2', 400, 'SHAZAM_SEARCH_BAD_REQUEST', /must NOT have additional properties/],
    // a cursor this API never issued
    ['/v1/search?q=oak&cursor=garbage', 400, 'SHAZAM_SEARCH_BAD_CURSOR', /not one this API issued/],
    // no such route
    ['/v2/things', 404, 'SHAZAM_SEARCH_ROUTE_NOT_FOUND', /no route GET \/v2\/things/],
  ])('GET %s answers %i %s with a clear message', async (url, status, code, message) => {
    const response = await app.inject({ url });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ statusCode: status, code });
    expect(response.json().message).toMatch(message);
  });

  it('searches text with typos, ranks and paginates with an opaque cursor', async () => {
    const first = await app.inject({ url: '/v1/search?q=oak%20chiar&limit=4' });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.hits).toHaveLength(4);
    for (const hit of page1.hits) expect(hit.title).toMatch(/chair/);
    expect(page1.hits[0]).toMatchObject({
      version: 2,
      posterUrl: expect.stringContaining('https://cdn.example.com/'),
    });
    expect(typeof page1.nextCursor).toBe('string');
    const second = (
      await app.inject({
        url: `/v1/search?q=oak%20chiar&limit=4&cursor=${encodeURIComponent(page1.nextCursor)}`,
      })
    ).json();
    const all = (await app.inject({ url: '/v1/search?q=oak%20chiar&limit=8' })).json();
    expect([...page1.hits, ...second.hits].map((hit: { asin: string }) => hit.asin)).toEqual(
      all.hits.map((hit: { asin: string }) => hit.asin),
    );
    const misuse = await app.inject({
      url: `/v1/search?q=lamp&cursor=${encodeURIComponent(page1.nextCursor)}`,
    });
    expect(misuse.statusCode).toBe(400);
    expect(misuse.json().message).toMatch(/different query/);
  });

  it('searches by ASIN prefix', async () => {
    const body = (await app.inject({ url: '/v1/search?q=B0TEST001&limit=20' })).json();
    expect(body.hits.map((hit: { asin: string }) => hit.asin).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `B0TEST001${i}`),
    );
  });

  it('builds only the poster URL of each search hit, not its turntable', async () => {
    const encode = globalThis.encodeURIComponent;
    let encoded = 0;
    globalThis.encodeURIComponent = (value) => {
      encoded++;
      return encode(value);
    };
    let body: { hits: { posterUrl: string }[] };
    try {
      body = (await app.inject({ url: '/v1/search?q=oak&limit=20' })).json();
    } finally {
      globalThis.encodeURIComponent = encode;
    }
    expect(body.hits).toHaveLength(20);
    expect(body.hits[0]!.posterUrl).toMatch(
      /^https:\/\/cdn\.example\.com\/assets\/B0TEST\d{4}\/versions\/2\/renders\/poster\.webp$/,
    );
    // Six key segments per poster URL; the whole bundle (glb, web glb, poster, 36 frames) would be 40 times that.
    expect(encoded).toBeLessThanOrEqual(20 * 6);
  });

  it('refuses bad photo uploads with a 4xx each and keeps serving', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const jpeg = await sharp({
      create: {
        width: 256,
        height: 256,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .jpeg()
      .toBuffer();
    const bomb = decompressionBomb(30_000);
    const cases: Array<
      [string, { headers: Record<string, string>; payload: string | Buffer }, number, string]
    > = [
      [
        'text as a photo',
        { headers: { 'content-type': 'image/jpeg' }, payload: 'hello' },
        415,
        'SHAZAM_SEARCH_IMAGE_UNSUPPORTED',
      ],
      [
        'an XML body',
        { headers: { 'content-type': 'application/xml' }, payload: '<photo/>' },
        415,
        'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      ],
      [
        // One Content-Type rule: a type outside the documented list is 415, JSON included.
        'a JSON body',
        { headers: { 'content-type': 'application/json' }, payload: '{}' },
        415,
        'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      ],
      [
        'an empty body',
        { headers: { 'content-type': 'image/png' }, payload: Buffer.alloc(0) },
        400,
        'SHAZAM_SEARCH_IMAGE_MISSING',
      ],
      [
        'an oversized upload',
        { headers: { 'content-type': 'image/png' }, payload: Buffer.alloc(300_000, 1) },
        413,
        'FST_ERR_CTP_BODY_TOO_LARGE',
      ],
      [
        'a truncated JPEG',
        { headers: { 'content-type': 'image/jpeg' }, payload: jpeg.subarray(0, jpeg.length / 2) },
        422,
        'SHAZAM_SEARCH_IMAGE_CORRUPT',
      ],
    ];
    // Small enough to pass the byte limit: only the pixel count can stop it.
    expect(bomb.length).toBeLessThan(config.maxUploadBytes);
    cases.push([
      'a decompression bomb',
      { headers: { 'content-type': 'image/png' }, payload: bomb },
      413,
      'SHAZAM_SEARCH_IMAGE_TOO_MANY_PIXELS',
    ]);
    for (const [name, request, status, code] of cases) {
      const response = await app.inject({ method: 'POST', url: '/v1/search/image', ...request });
      expect(response.statusCode, name).toBe(status);
      expect(response.json().code, name).toBe(code);
      expect(response.json().message.length, name).toBeGreaterThan(10);
    }
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/search/image',
      headers: { 'content-type': 'image/png' },
      payload: png,
    });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('accepts a photo as a multipart file', async () => {
    const png = await sharp({ create: { width: 80, height: 80, channels: 3, background: '#ffffff' } })
      .composite([
        {
          input: { create: { width: 30, height: 50, channels: 3, background: '#c03020' } },
          left: 25,
          top: 15,
        },
      ])
      .png()
      .toBuffer();
    const boundary = '----shazam';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await app.inject({
      method: 'POST',
      url: '/v1/search/image?limit=3',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().hits).toHaveLength(3);
    expect(response.json().hits[0]).toHaveProperty('frame');
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', assets: 40 });
    const openapi = (await app.inject({ url: '/openapi.json' })).json();
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/assets/{asin}', '/v1/search', '/v1/search/image']),
    );
    await app.inject({ url: '/v1/search?q=zzzzzz' });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/shazam_search_index_assets 40/);
    expect(metrics).toMatch(/shazam_search_searches_total\{kind="text",outcome="empty"\} [1-9]/);
    expect(metrics).toMatch(
      /shazam_search_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/assets\/:asin"/,
    );
    expect((await app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('allows CORS for the configured storefront origin only', async () => {
    const allowed = await app.inject({
      url: '/v1/assets/B0TEST0001',
      headers: { origin: 'https://shop.example.com' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    const other = await app.inject({
      url: '/v1/assets/B0TEST0001',
      headers: { origin: 'https://evil.example.com' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('search API limits', () => {
  it('rate-limits a client past its budget with a 429 body, but never health checks', async () => {
    const s3 = s3Client();
    const app = await buildApp({ config: { ...config, rateLimitPerMinute: 3 }, s3, catalog: catalogWith(2) });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await app.inject({ url: '/v1/assets/B0TEST0001' })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const limited = await app.inject({ url: '/v1/assets/B0TEST0001' });
      expect(limited.json()).toMatchObject({ code: 'SHAZAM_SEARCH_RATE_LIMITED' });
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      s3.destroy();
    }
  });

  it('presigns S3 URLs when no CDN is configured, marking them private', async () => {
    const s3 = s3Client();
    const app = await buildApp({ config: { ...config, cdnBaseUrl: undefined }, s3, catalog: catalogWith(1) });
    try {
      const response = await app.inject({ url: '/v1/assets/B0TEST0000' });
      expect(response.json().glbUrl).toMatch(
        /\/assets-bucket\/assets\/B0TEST0000\/versions\/2\/model\.glb\?.*X-Amz-Signature=/,
      );
      expect(response.headers['cache-control']).toBe('private, max-age=60');
    } finally {
      await app.close();
      s3.destroy();
    }
  });

  it('uses the documented defaults', () => {
    expect(SEARCH_API_DEFAULTS.maxUploadBytes).toBe(10 * 1024 * 1024);
  });
});
