import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findObject, manifestsPath, renderKustomization } from '../test/kustomize.ts';

interface IngressPath {
  path: string;
  pathType: 'Prefix' | 'Exact' | 'ImplementationSpecific';
  backend: { service: { name: string; port: { name?: string; number?: number } } };
}
interface IngressSpec {
  ingressClassName?: string;
  tls?: { hosts: string[] }[];
  rules: { host?: string; http: { paths: IngressPath[] } }[];
}

/** Kubernetes' Ingress path matching: Exact is the whole path, Prefix matches whole `/` elements. */
function matches(rule: IngressPath, path: string): boolean {
  if (rule.pathType === 'Exact') return path === rule.path;
  const prefix = rule.path.replace(/\/$/, '');
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** The backend a request reaches through the Ingress, or undefined when nothing routes it. */
function route(spec: IngressSpec, host: string, path: string): string | undefined {
  const rule = spec.rules.find((candidate) => candidate.host === host);
  const matched = (rule?.http.paths ?? [])
    .filter((candidate) => matches(candidate, path))
    .sort((a, b) => b.path.length - a.path.length)[0];
  return matched ? `${matched.backend.service.name}:${matched.backend.service.port.name}` : undefined;
}

describe.each(['dev', 'prod'])('the %s overlay’s way in to the search API', (overlay) => {
  const apiHost = (
    parse(readFileSync(manifestsPath(`../pulumi/Pulumi.${overlay}.yaml`), 'utf8')) as {
      config: { 'shazam:settings': { domains: { api: string } } };
    }
  ).config['shazam:settings'].domains.api;

  it('routes the public API on the stack’s API host through the ALB, and nothing else', async () => {
    const objects = await renderKustomization(`overlays/${overlay}`);
    const ingress = findObject(objects, 'Ingress', 'shazam-search-api', 'shazam-system');
    const spec = (ingress as unknown as { spec: IngressSpec }).spec;
    expect(spec.ingressClassName).toBe('alb');
    expect(ingress.metadata.annotations?.['alb.ingress.kubernetes.io/scheme']).toBe('internet-facing');
    expect(spec.tls?.flatMap((tls) => tls.hosts)).toEqual([apiHost]);
    expect(spec.rules.map((rule) => rule.host)).toEqual([apiHost]);
    const service = findObject(objects, 'Service', 'shazam-search-api', 'shazam-system') as unknown as {
      spec: { ports: { name: string }[] };
    };
    expect(service.spec.ports.map((port) => port.name)).toContain('http');
    for (const path of ['/v1/assets/B0D4KMX7Q2', '/v1/search', '/v1/search/image', '/openapi.json'])
      expect(route(spec, apiHost, path), path).toBe('shazam-search-api:http');
    for (const path of ['/metrics', '/docs', '/docs/static/index.html', '/healthz', '/readyz', '/v1x', '/'])
      expect(route(spec, apiHost, path), path).toBeUndefined();
    expect(route(spec, 'attacker.example', '/v1/search')).toBeUndefined();
  });

  it('scrapes /metrics on the metrics port, which the Ingress never routes to', async () => {
    const objects = await renderKustomization(`overlays/${overlay}`);
    const ingress = findObject(objects, 'Ingress', 'shazam-search-api', 'shazam-system');
    const routed = new Set(
      (ingress as unknown as { spec: IngressSpec }).spec.rules.flatMap((rule) =>
        rule.http.paths.map((path) => path.backend.service.port.name),
      ),
    );
    const monitor = findObject(
      objects,
      'ServiceMonitor',
      'shazam-search-api',
      'shazam-system',
    ) as unknown as {
      spec: { endpoints: { port: string; path: string }[] };
    };
    const service = findObject(objects, 'Service', 'shazam-search-api', 'shazam-system') as unknown as {
      spec: { ports: { name: string; targetPort: string }[] };
    };
    for (const endpoint of monitor.spec.endpoints) {
      expect(endpoint.path).toBe('/metrics');
      expect(routed.has(endpoint.port), endpoint.port).toBe(false);
      expect(service.spec.ports.find((port) => port.name === endpoint.port)?.targetPort).toBe('metrics');
    }
    const policy = findObject(objects, 'NetworkPolicy', 'shazam-search-api', 'shazam-system') as unknown as {
      spec: { ingress: { from?: unknown[]; ports: { port: string }[] }[] };
    };
    // Anyone may reach the http port (the ALB's targets are pod addresses); the metrics port only from monitoring.
    for (const rule of policy.spec.ingress.filter((rule) =>
      rule.ports.some((port) => port.port === 'metrics'),
    ))
      expect(rule.from).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
      ]);
  });
});
