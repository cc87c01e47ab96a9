import { describe, expect, it } from 'vitest';
import { kubeconfigPath, s3Config } from '../test/harness/index.ts';
import { loadSearchApiConfig } from './config.ts';
import { startSearchApi } from './server.ts';

describe('startSearchApi', () => {
  it('listens, becomes ready over real HTTP, and closes', async () => {
    const s3 = s3Config();
    const config = loadSearchApiConfig(
      ['--host', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--log-level', 'silent'],
      {
        SHAZAM_KUBECONFIG: kubeconfigPath(),
        ...(s3.endpoint ? { AWS_ENDPOINT_URL_S3: s3.endpoint } : {}),
      },
    );
    const api = await startSearchApi(config);
    try {
      expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await api.app.readiness.whenReady();
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(200);
      const missing = await fetch(`${api.url}/v1/assets/B0MISSING1`);
      expect(missing.status).toBe(404);
      expect((await missing.json()).code).toBe('SHAZAM_SEARCH_ASSET_NOT_FOUND');

      // Public port: the API, the OpenAPI document and the probes; never metrics or the docs page.
      expect(api.operationsUrl).not.toBe(api.url);
      expect((await fetch(`${api.url}/openapi.json`)).status).toBe(200);
      for (const path of ['/metrics', '/docs', '/docs/', '/docs/static/index.html', '/metrics?x=1']) {
        const answer = await fetch(`${api.url}${path}`);
        expect(answer.status, path).toBe(404);
        expect((await answer.json()).code, path).toBe('SHAZAM_SEARCH_ROUTE_NOT_FOUND');
      }
      // Operations port: metrics (with the public port's traffic counted) and the docs page.
      const metrics = await fetch(`${api.operationsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(
        /shazam_search_http_request_duration_seconds_count\{route="\/readyz"/,
      );
      const docs = await fetch(`${api.operationsUrl}/docs/`, { redirect: 'manual' });
      expect(docs.status).toBeLessThan(400);
    } finally {
      await api.close();
    }
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
    await expect(fetch(`${api.operationsUrl}/metrics`)).rejects.toThrow();
  });
});
