import { S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { buildApp } from './app.ts';
import { Catalog } from './catalog/catalog.ts';
import { testAppConfig } from './test-support/app-config.ts';

type HookLists = Record<string, string[]>;

/**
 * The hooks fastify runs for one route, by lifecycle stage, read from `printRoutes({ includeHooks: true })`:
 * the route's line (`/v1/assets/:asin (GET)`) is followed by one `• (stage) ["name()", …]` line per stage.
 */
function hooksOf(app: FastifyInstance, routeLine: string): HookLists {
  const lines = app.printRoutes({ includeHooks: true, commonPrefix: false }).split('\n');
  const start = lines.findIndex((line) => line.replace(/^[\s│├└─]+/, '') === routeLine);
  if (start < 0) throw new Error(`no route line ${routeLine} in printRoutes`);
  const hooks: HookLists = {};
  for (const line of lines.slice(start + 1)) {
    const stage = /• \((\w+)\) (\[.*\])$/.exec(line);
    if (!stage) break;
    hooks[stage[1]!] = (JSON.parse(stage[2]!) as string[]).map((name) => name.replace(/\(\)$/, ''));
  }
  return hooks;
}

describe('hooks run per request', () => {
  let app: FastifyInstance;
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });

  beforeAll(async () => {
    app = await buildApp({
      config: testAppConfig(),
      s3,
      catalog: new Catalog(DESCRIPTOR_DIMS),
    });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    s3.destroy();
  });

  it('an ASIN lookup runs only CORS, the readiness gate and the latency metric', () => {
    // Anything more is paid on every lookup: the multipart parser's two async hooks, registered for the
    // whole app, once cost more than the answer itself.
    expect(hooksOf(app, '/v1/assets/:asin (GET)')).toEqual({
      onRequest: ['handleCors', 'refuseWhileLoading'],
      onResponse: ['observeLatency'],
    });
  });

  it('text search adds the integer query check and nothing of the photo upload', () => {
    expect(hooksOf(app, '/v1/search (GET)')).toEqual({
      onRequest: ['handleCors', 'refuseWhileLoading'],
      preValidation: ['checkIntegerQuery'],
      onResponse: ['observeLatency'],
    });
  });

  it('the photo upload route keeps the multipart parser', async () => {
    const hooks = hooksOf(app, '/image (POST)');
    expect(hooks.onResponse).toHaveLength(2);
    const boundary = 'shazam-test-boundary';
    const response = await app.inject({
      method: 'POST',
      url: '/v1/search/image',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nno file here\r\n--${boundary}--\r\n`,
    });
    // The form was parsed (a field, no file): the multipart parser answered, not a 415 or a 500.
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('SHAZAM_SEARCH_IMAGE_MISSING');
  });
});
