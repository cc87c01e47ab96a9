/**
 * Requests written by people outside the team: each is refused with a documented 4xx in the API's error
 * format, never a 500, and never served past the documented bounds. Timing cases run on a real listening
 * server (Node's own HTTP parser and request timeout), the rest through `app.inject()`.
 */
import { connect } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { buildApp } from './app.ts';
import { Catalog } from './catalog/catalog.ts';
import { testAppConfig } from './test-support/app-config.ts';
import { assetSubmission, publishedAssetFrom } from './test-support/asset-submission.ts';

const config = testAppConfig({ maxUploadBytes: 400_000 });

/** CDN URLs need no S3 server; the client is never called. */
function offlineS3(): S3Client {
  return new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** 60 products, so that an unbounded limit would return more than the cap of 50. */
function catalogue(): Catalog {
  const catalog = new Catalog(DESCRIPTOR_DIMS);
  for (let i = 0; i < 60; i++) {
    const built = assetSubmission(`s${i}`, 'shop', `B0HOST${String(i).padStart(4, '0')}`)
      .withProduct({ title: `Oak chair ${i}`, brand: 'Nordic', tags: ['chair'] })
      .published(1, 'assets')
      .build();
    const asset = publishedAssetFrom(built);
    catalog.apply(asset.source, asset);
    const vector = Array.from({ length: DESCRIPTOR_DIMS }, (_, d) => (d === i ? 1 : 0.01));
    catalog.setDescriptors(asset, [{ index: 0, vector }]);
  }
  return catalog;
}

async function noisyJpeg(side: number): Promise<Buffer> {
  return sharp({
    create: {
      width: side,
      height: side,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg()
    .toBuffer();
}

/** The JPEG with a restart marker forged into its entropy-coded data: libjpeg reports corrupt data. */
function corruptScan(jpeg: Buffer, at: number): Buffer {
  const scan = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  const out = Buffer.from(jpeg);
  const position = scan + Math.floor((jpeg.length - scan) * at);
  out[position] = 0xff;
  out[position + 1] = 0xd3;
  return out;
}

function expectErrorFormat(body: unknown, statusCode: number): void {
  expect(body).toEqual({
    statusCode,
    code: expect.stringMatching(/^(SHAZAM_SEARCH|FST)_[A-Z_]+$/),
    error: expect.any(String),
    message: expect.any(String),
  });
}

describe('hostile requests through inject()', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let jpeg: Buffer;
  const s3 = offlineS3();

  beforeAll(async () => {
    app = await buildApp({ config, s3, catalog: catalogue() });
    jpeg = await noisyJpeg(256);
  });
  afterAll(async () => {
    await app.close();
    s3.destroy();
  });

  it.each([
    '-Infinity',
    '-1e400',
    'Infinity',
    '1e400',
    '-1',
    '0',
    '51',
    '1.5',
    '5.0',
    '0x10',
    ' 5',
    '1e1',
    'NaN',
    '99999999999999999999',
  ])('limit=%s is a 400 on both searches', async (limit) => {
    const encoded = encodeURIComponent(limit);
    const image = await app.inject({
      method: 'POST',
      url: `/v1/search/image?limit=${encoded}`,
      headers: { 'content-type': 'image/jpeg' },
      payload: jpeg,
    });
    expect(image.statusCode).toBe(400);
    expectErrorFormat(image.json(), 400);
    expect(image.json().message).toMatch(/limit/);
    const text = await app.inject({ url: `/v1/search?q=oak&limit=${encoded}` });
    expect(text.statusCode).toBe(400);
    expect(text.json().code).toBe('SHAZAM_SEARCH_BAD_REQUEST');
  });

  it('keeps the cap: limit=50 answers at most 50 of the 60 products', async () => {
    const image = await app.inject({
      method: 'POST',
      url: '/v1/search/image?limit=50',
      headers: { 'content-type': 'image/jpeg' },
      payload: jpeg,
    });
    expect(image.statusCode).toBe(200);
    expect(image.json().hits.length).toBeLessThanOrEqual(50);
    expect((await app.inject({ url: '/v1/search?q=oak&limit=50' })).json().hits).toHaveLength(50);
  });

  it.each<[string, Record<string, string>, () => Buffer, number, string]>([
    [
      'multipart without a boundary',
      { 'content-type': 'multipart/form-data' },
      () => Buffer.from('abc'),
      400,
      'SHAZAM_SEARCH_BAD_MULTIPART',
    ],
    [
      'multipart with an empty boundary',
      { 'content-type': 'multipart/form-data; boundary=' },
      () => Buffer.from('abc'),
      400,
      'SHAZAM_SEARCH_BAD_MULTIPART',
    ],
    [
      'a truncated multipart body',
      { 'content-type': 'multipart/form-data; boundary=XX' },
      () =>
        Buffer.concat([
          Buffer.from(
            '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n',
          ),
          jpeg.subarray(0, 500),
        ]),
      400,
      'SHAZAM_SEARCH_BAD_MULTIPART',
    ],
    [
      'a multipart body cut in its part headers',
      { 'content-type': 'multipart/form-data; boundary=XX' },
      () => Buffer.from('--XX\r\nContent-Disposition: form-data; na'),
      400,
      'SHAZAM_SEARCH_BAD_MULTIPART',
    ],
    [
      'a JPEG whose scan data is corrupt',
      { 'content-type': 'image/jpeg' },
      () => corruptScan(jpeg, 0.3),
      422,
      'SHAZAM_SEARCH_IMAGE_CORRUPT',
    ],
    [
      'a JPEG corrupt near its end',
      { 'content-type': 'image/jpeg' },
      () => corruptScan(jpeg, 0.9),
      422,
      'SHAZAM_SEARCH_IMAGE_CORRUPT',
    ],
    [
      'a JPEG signature and a garbage header',
      { 'content-type': 'image/jpeg' },
      () => Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]),
      422,
      'SHAZAM_SEARCH_IMAGE_CORRUPT',
    ],
    // One Content-Type rule: outside the list is 415 before the body is read, whatever the bytes.
    [
      'a JPEG sent as text/plain',
      { 'content-type': 'text/plain' },
      () => jpeg,
      415,
      'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    ],
    [
      'a JPEG sent as application/json',
      { 'content-type': 'application/json' },
      () => jpeg,
      415,
      'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    ],
    [
      'a GIF sent as image/gif',
      { 'content-type': 'image/gif' },
      () => Buffer.from('GIF89a\x01\x00\x01\x00'),
      415,
      'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    ],
    ['a JPEG with no Content-Type', {}, () => jpeg, 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'],
    // Inside the list, the bytes decide.
    [
      'a GIF sent as image/jpeg',
      { 'content-type': 'image/jpeg' },
      () => Buffer.from('GIF89a\x01\x00\x01\x00'),
      415,
      'SHAZAM_SEARCH_IMAGE_UNSUPPORTED',
    ],
  ])('%s', async (_name, headers, payload, status, code) => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/search/image',
      headers,
      payload: payload(),
    });
    expect(response.statusCode).toBe(status);
    expectErrorFormat(response.json(), status);
    expect(response.json().code).toBe(code);
  });

  it.each([
    'image/jpg',
    'IMAGE/JPEG',
    'image/pjpeg',
    'image/jpeg; charset=binary',
    'image/png',
    'application/octet-stream',
  ])('accepts a JPEG sent as %s', async (contentType) => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/search/image?limit=3',
      headers: { 'content-type': contentType },
      payload: jpeg,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().hits).toHaveLength(3);
  });

  it('answers a path segment longer than the router allows with 414 in the error format', async () => {
    const response = await app.inject({ url: `/v1/assets/${'A'.repeat(500)}` });
    expect(response.statusCode).toBe(414);
    expectErrorFormat(response.json(), 414);
  });
});

/** Sends raw bytes on a socket and collects the answer until the server closes the connection. */
function rawExchange(
  port: number,
  send: (socket: ReturnType<typeof connect>) => void,
): Promise<{ status: number; body: string; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1', () => send(socket));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!match) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      resolve({
        status: Number(match[1]),
        body: text.slice(text.indexOf('\r\n\r\n') + 4),
        elapsedMs: performance.now() - started,
      });
    });
  });
}

describe('hostile requests on a listening server', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let port: number;
  const s3 = offlineS3();
  const requestTimeoutMs = 1000;

  beforeAll(async () => {
    app = await buildApp({ config: { ...config, requestTimeoutMs }, s3, catalog: catalogue() });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
    s3.destroy();
  });

  it('answers a slow upload 408 at the configured request timeout, in the error format', async () => {
    const answer = await rawExchange(port, (socket) => {
      socket.write(
        'POST /v1/search/image HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n',
      );
      // A trickle: some bytes now, then nothing.
      socket.write(Buffer.alloc(1000, 0xff));
    });
    expect(answer.status).toBe(408);
    expectErrorFormat(JSON.parse(answer.body), 408);
    // Node checks running requests every tenth of the timeout: the 408 comes within 1.1× the timeout (plus
    // scheduling slack on a loaded machine), not after 30 s more.
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(requestTimeoutMs * 0.9);
    expect(answer.elapsedMs).toBeLessThan(requestTimeoutMs * 2 + 500);
  });

  it('answers headers larger than Node allows with 431 in the error format', async () => {
    const answer = await rawExchange(port, (socket) => {
      socket.write(`GET /v1/search?q=oak HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    });
    expect(answer.status).toBe(431);
    expectErrorFormat(JSON.parse(answer.body), 431);
  });

  it('answers a URL larger than Node allows with 431 in the error format', async () => {
    const answer = await rawExchange(port, (socket) => {
      socket.write(`GET /v1/search?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    });
    expect(answer.status).toBe(431);
    expectErrorFormat(JSON.parse(answer.body), 431);
  });

  it('answers malformed HTTP with 400 in the error format', async () => {
    const answer = await rawExchange(port, (socket) => {
      socket.write('GARBAGE\r\n\r\n');
    });
    expect(answer.status).toBe(400);
    expectErrorFormat(JSON.parse(answer.body), 400);
  });
});
