import type { BuildAppOptions } from '../app.ts';

/**
 * The configuration tests build the app with: CDN URLs (no S3 server is called), no CORS origins, no rate
 * limit, 1 MB uploads of at most 4 megapixels; `overrides` replace any of them.
 */
export function testAppConfig(overrides: Partial<BuildAppOptions['config']> = {}): BuildAppOptions['config'] {
  return {
    cdnBaseUrl: 'https://cdn.example.com',
    presignTtlSeconds: 3600,
    corsOrigins: [],
    rateLimitPerMinute: 0,
    maxUploadBytes: 1_000_000,
    maxImagePixels: 4_000_000,
    ...overrides,
  };
}
