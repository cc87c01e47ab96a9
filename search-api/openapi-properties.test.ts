/**
 * Property tests of every HTTP route, generated from the OpenAPI document: for each operation, requests whose
 * parameters are drawn from the declared schemas, from their edges and from hostile strings (non-finite
 * numbers, huge, negative, malformed, unknown parameters), and for the photo route bodies of every declared
 * content type and others, valid, truncated and corrupt. Invariants: never a 5xx; every status is one the
 * document declares for the operation; every body matches the documented schema (errors in the error format).
 *
 * Bounded in the normal run (SHAZAM_FUZZ_RUNS, default 200 per operation); SHAZAM_FUZZ=1 (as `npm run fuzz` sets) raises it to 5,000.
 */
import { S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { buildApp } from './app.ts';
import { Catalog } from './catalog/catalog.ts';
import { publishedAssetOf } from './catalog/published-asset.ts';
import { testAppConfig } from './test-support/app-config.ts';
import { assetSubmission } from './test-support/asset-submission.ts';
import {
  type OpenApiDocument,
  type OpenApiOperation,
  operationsOf,
  responseValidator,
} from './test-support/openapi-client.ts';

const RUNS = Number(process.env.SHAZAM_FUZZ_RUNS ?? (process.env.SHAZAM_FUZZ === '1' ? 5000 : 200));

function catalogue(): Catalog {
  const catalog = new Catalog(DESCRIPTOR_DIMS);
  for (let i = 0; i < 30; i++) {
    const built = assetSubmission(`s${i}`, 'shop', `B0PROP${String(i).padStart(4, '0')}`)
      .withProduct({ title: `Oak chair ${i} the classic`, brand: 'Nordic', tags: ['chair'] })
      .published(1, 'assets')
      .build();
    const asset = publishedAssetOf({ ...built.object, status: built.status });
    if (!('asin' in asset)) throw new Error(asset.detail);
    catalog.apply(asset.source, asset);
    catalog.setDescriptors(asset, [
      { index: 0, vector: Array.from({ length: DESCRIPTOR_DIMS }, (_, d) => (d === i ? 1 : 0.01)) },
    ]);
  }
  return catalog;
}

const HOSTILE_NUMBERS = [
  'Infinity',
  '-Infinity',
  '1e400',
  '-1e400',
  'NaN',
  '-0',
  '0x1f',
  '1e1',
  '1.0',
  ' 3',
  '3 ',
  '+3',
  '',
  '٣',
];

/** Values for one declared parameter: valid ones from its schema, its edges, and hostile strings. */
function parameterValue(schema: Record<string, unknown> | undefined): fc.Arbitrary<string> {
  const hostile = fc.oneof(
    fc.constantFrom(...HOSTILE_NUMBERS),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ minLength: 150, maxLength: 400 }),
  );
  if (schema?.type === 'integer') {
    const min = Number(schema.minimum ?? -1000);
    const max = Number(schema.maximum ?? 1000);
    return fc.oneof(
      fc.integer({ min, max }).map(String),
      fc.constantFrom(min - 1, max + 1, min, max, -1, 0, Number.MAX_SAFE_INTEGER).map(String),
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
      hostile,
    );
  }
  if (typeof schema?.pattern === 'string') {
    return fc.oneof(
      fc.stringMatching(new RegExp(schema.pattern)),
      fc.constantFrom('B0PROP0001', 'B0PROP0029'),
      hostile,
    );
  }
  return fc.oneof(fc.constantFrom('oak', 'chair', 'the', 'oak chiar', 'B0PROP', 'nordic cla'), hostile);
}

interface PhotoSamples {
  jpeg: Buffer;
  png: Buffer;
  webp: Buffer;
}

/** A body for the photo route: declared content types and others, good bytes, damaged bytes, random bytes. */
function photoBody(
  samples: PhotoSamples,
): fc.Arbitrary<{ contentType: string | undefined; payload: Buffer }> {
  const image = fc.constantFrom(samples.jpeg, samples.png, samples.webp);
  const bytes = fc.oneof(
    image,
    fc
      .tuple(image, fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([b, at]) => b.subarray(0, Math.floor(b.length * at))),
    fc
      .tuple(image, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 20 }))
      .map(([b, edits]) => {
        const out = Buffer.from(b);
        for (const [at, value] of edits) out[at % out.length] = value;
        return out;
      }),
    fc.uint8Array({ maxLength: 2000 }).map((array) => Buffer.from(array)),
  );
  const contentType = fc.oneof(
    fc.constantFrom(
      'image/jpeg',
      'image/jpg',
      'image/png',
      'image/webp',
      'application/octet-stream',
      'IMAGE/JPEG',
    ),
    fc.constantFrom(
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'text/plain',
      'application/json',
      'image/gif',
    ),
    fc.constant(undefined),
    fc.string({ maxLength: 30 }),
  );
  const multipart = fc.tuple(bytes, fc.boolean(), fc.nat({ max: 400 })).map(([payload, complete, cut]) => {
    const boundary = 'fuzzboundary';
    const form = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      payload,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return {
      contentType: `multipart/form-data; boundary=${boundary}`,
      payload: complete ? form : form.subarray(0, Math.max(0, form.length - 1 - cut)),
    };
  });
  return fc.oneof(fc.record({ contentType, payload: bytes }), multipart);
}

describe('every route, generated from the OpenAPI document', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let document: OpenApiDocument;
  let samples: PhotoSamples;
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });

  beforeAll(async () => {
    app = await buildApp({
      config: testAppConfig({ maxUploadBytes: 100_000, maxImagePixels: 1_000_000 }),
      s3,
      catalog: catalogue(),
    });
    document = (await app.inject({ url: '/openapi.json' })).json() as OpenApiDocument;
    const base = sharp({ create: { width: 96, height: 72, channels: 3, background: '#eeeeee' } }).composite([
      { input: { create: { width: 30, height: 40, channels: 3, background: '#804020' } }, left: 30, top: 16 },
    ]);
    samples = {
      jpeg: await base.clone().jpeg().toBuffer(),
      png: await base.clone().png().toBuffer(),
      webp: await base.clone().webp().toBuffer(),
    };
  });
  afterAll(async () => {
    await app.close();
    s3.destroy();
  });

  it('covers every operation of the document', () => {
    expect(operationsOf(document).length).toBeGreaterThanOrEqual(6);
  });

  it('never answers 5xx, and answers only documented statuses and bodies', async () => {
    const validate = responseValidator(document);
    for (const { method, path, operation } of operationsOf(document)) {
      const parameters = operation.parameters ?? [];
      const request = fc.record({
        path: fc.record(
          Object.fromEntries(
            parameters
              .filter((p) => p.in === 'path')
              .map((p) => [p.name, parameterValue(p.schema as Record<string, unknown>)]),
          ),
        ),
        query: fc.record(
          Object.fromEntries(
            parameters
              .filter((p) => p.in === 'query')
              .map((p) => [p.name, parameterValue(p.schema as Record<string, unknown>)]),
          ),
          { requiredKeys: [] },
        ),
        extra: fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 })), {
          freq: 5,
        }),
        body: operation.requestBody ? fc.option(photoBody(samples), { freq: 10 }) : fc.constant(null),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ path: pathValues, query, extra, body }) => {
          const url = new URL(
            path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(pathValues[name] ?? '')),
            'http://x',
          );
          for (const [name, value] of Object.entries(query)) {
            if (value !== undefined) url.searchParams.set(name, value);
          }
          if (extra) url.searchParams.set(extra[0], extra[1]);
          const response = await app.inject({
            method: method as 'GET' | 'POST',
            url: url.pathname + url.search,
            headers: body?.contentType === undefined ? {} : { 'content-type': body.contentType },
            ...(body ? { payload: body.payload } : {}),
          });
          const where = `${method} ${url.pathname}${url.search} → ${response.statusCode} ${response.body.slice(0, 200)}`;
          expect(response.statusCode, where).toBeLessThan(500);
          // A route not matched (an empty path segment) is the router's 404, outside any operation.
          const target: OpenApiOperation =
            response.statusCode === 404 && response.json().code === 'SHAZAM_SEARCH_ROUTE_NOT_FOUND'
              ? { responses: { 404: operation.responses['404'] ?? { description: 'no route' } } }
              : operation;
          const contentType = String(response.headers['content-type'] ?? '');
          const parsed = contentType.includes('json') ? response.json() : response.body;
          expect(
            validate(
              target,
              response.statusCode,
              contentType,
              response.statusCode === 304 ? undefined : parsed,
            ),
            where,
          ).toEqual([]);
          if (response.statusCode >= 400) {
            expect(parsed, where).toMatchObject({
              statusCode: response.statusCode,
              code: expect.any(String),
              message: expect.any(String),
            });
          }
        }),
        { numRuns: RUNS },
      );
    }
    // Still serving afterwards.
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
