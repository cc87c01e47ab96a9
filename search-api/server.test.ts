import { describe, expect, it } from 'vitest';
import { kubeconfigPath, s3Config } from '../test/harness/index.ts';
import { loadSearchApiConfig } from './config.ts';
import { startSearchApi } from './server.ts';

describe('startSearchApi', () => {
  it('listens, becomes ready over real HTTP, and closes', async () => {
    const s3 = s3Config();
    const config = loadSearchApiConfig(['--host', '127.0.0.1', '--port', '0', '--log-level', 'silent'], {
      SHAZAM_KUBECONFIG: kubeconfigPath(),
      ...(s3.endpoint ? { AWS_ENDPOINT_URL_S3: s3.endpoint } : {}),
    });
    const api = await startSearchApi(config);
    try {
      expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await api.app.readiness.whenReady();
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(200);
      const missing = await fetch(`${api.url}/v1/assets/B0MISSING1`);
      expect(missing.status).toBe(404);
      expect((await missing.json()).code).toBe('SHAZAM_SEARCH_ASSET_NOT_FOUND');
    } finally {
      await api.close();
    }
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
  });
});
