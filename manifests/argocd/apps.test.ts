import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ApplicationSetSpec, generateApplications } from '../test/applicationset.ts';
import { findObject, type RenderedObject, renderKustomization } from '../test/kustomize.ts';
import { runHealthScript } from '../test/lua.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** Argo CD's parsing of `argocd.argoproj.io/sync-options`: comma-separated `Key=Value` pairs. */
function syncOptions(object: RenderedObject): Record<string, string> {
  const raw = object.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '';
  return Object.fromEntries(
    raw
      .split(',')
      .map((option) => option.trim().split('='))
      .filter((pair): pair is [string, string] => pair.length === 2),
  );
}

describe.each(['dev', 'prod'])('the %s overlay under Argo CD', (overlay) => {
  let objects: RenderedObject[];
  beforeAll(async () => {
    objects = await renderKustomization(`overlays/${overlay}`);
  });

  it('keeps the CRDs and the namespaces when the Application is deleted or pruned', () => {
    const kept = objects.filter((o) => o.kind === 'CustomResourceDefinition' || o.kind === 'Namespace');
    expect(kept.map((o) => o.metadata.name).sort()).toEqual([
      'assetsubmissions.pipeline.shazam.dev',
      'qareviews.pipeline.shazam.dev',
      'renderjobs.pipeline.shazam.dev',
      'shazam-pipeline',
      'shazam-system',
    ]);
    for (const object of kept)
      expect(syncOptions(object), `${object.kind}/${object.metadata.name}`).toMatchObject({
        Prune: 'false',
        Delete: 'false',
      });
  });
});

describe('Argo CD applications', () => {
  let apps: RenderedObject[];
  let all: RenderedObject[];
  beforeAll(async () => {
    apps = await renderKustomization('argocd/apps');
    all = await renderKustomization('argocd');
  });

  it('generates one platform Application per labelled cluster, each syncing its own overlay', async () => {
    const appSet = findObject(apps, 'ApplicationSet', 'shazam-platform', 'argocd') as unknown as {
      spec: ApplicationSetSpec;
    };
    const overlays = (await readdir(here('../overlays'), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const clusters = overlays.map((environment) => ({
      name: `shazam-${environment}`,
      server: `https://${environment}.eks.example`,
      labels: { 'shazam.dev/environment': environment },
    }));
    const generated = generateApplications(appSet.spec, [
      ...clusters,
      // A cluster registered for something else gets nothing.
      { name: 'other', server: 'https://other.example', labels: {} },
    ]) as {
      metadata: { name: string };
      spec: { source: { path: string }; destination: { server: string } };
    }[];
    expect(generated.map((app) => app.spec.source.path).sort()).toEqual(
      overlays.map((environment) => `manifests/overlays/${environment}`).sort(),
    );
    expect(new Set(generated.map((app) => app.metadata.name)).size).toBe(overlays.length);
    for (const app of generated) {
      const environment = app.spec.source.path.split('/').pop();
      expect(app.spec.destination.server).toBe(`https://${environment}.eks.example`);
      // The path it names renders.
      await renderKustomization(app.spec.source.path.replace(/^manifests\//, ''));
    }
    expect(JSON.stringify(apps)).not.toContain('manifests/overlays/prod');
  });

  it('syncs the submissions after the platform: a later wave, behind a health check that waits for it', async () => {
    const wave = (object: RenderedObject) =>
      Number(object.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? '0');
    const platform = findObject(apps, 'ApplicationSet', 'shazam-platform', 'argocd');
    const submissions = findObject(apps, 'Application', 'shazam-submissions', 'argocd');
    expect(wave(submissions)).toBeGreaterThan(wave(platform));
    // The root Application syncs these waves; Argo CD moves to the next wave only once a wave is Healthy.
    const root = findObject(all, 'Application', 'shazam', 'argocd') as unknown as {
      spec: { source: { path: string } };
    };
    expect(root.spec.source.path).toBe('manifests/argocd/apps');
    const cm = findObject(all, 'ConfigMap', 'argocd-cm', 'argocd') as unknown as {
      data: Record<string, string>;
    };
    const appSetHealth = cm.data['resource.customizations.health.argoproj.io_ApplicationSet'] ?? '';
    const appHealth = cm.data['resource.customizations.health.argoproj.io_Application'] ?? '';
    const generated = (health?: string) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'shazam-platform' },
      status: health ? { resources: [{ name: 'shazam-operator-prod', health: { status: health } }] } : {},
    });
    expect((await runHealthScript(appSetHealth, generated())).status).toBe('Progressing');
    expect((await runHealthScript(appSetHealth, generated('Progressing'))).status).toBe('Progressing');
    expect((await runHealthScript(appSetHealth, generated('Missing'))).status).toBe('Progressing');
    expect((await runHealthScript(appSetHealth, generated('Degraded'))).status).toBe('Degraded');
    expect((await runHealthScript(appSetHealth, generated('Healthy'))).status).toBe('Healthy');
    const failing = {
      ...generated(),
      status: {
        conditions: [{ type: 'ErrorOccurred', status: 'True', message: 'cluster secret unreadable' }],
      },
    };
    expect(await runHealthScript(appSetHealth, failing)).toEqual({
      status: 'Degraded',
      message: 'cluster secret unreadable',
    });
    const application = (status?: object) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      status,
    });
    expect((await runHealthScript(appHealth, application())).status).toBe('Progressing');
    expect((await runHealthScript(appHealth, application({ health: { status: 'Healthy' } }))).status).toBe(
      'Healthy',
    );
    expect((await runHealthScript(appHealth, application({ health: { status: 'Degraded' } }))).status).toBe(
      'Degraded',
    );
  });

  it('ships the same health scripts Pulumi installs', async () => {
    const kustomization = parse(await readFile(here('kustomization.yaml'), 'utf8')) as {
      configMapGenerator: { name: string; files: string[] }[];
    };
    const files = kustomization.configMapGenerator.find((g) => g.name === 'argocd-cm')?.files ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        'resource.customizations.health.argoproj.io_Application=health/application.lua',
        'resource.customizations.health.argoproj.io_ApplicationSet=health/applicationset.lua',
      ]),
    );
  });
});
