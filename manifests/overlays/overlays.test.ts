import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_OVERRIDES, parseOperatorConfig } from '../../operator/config.ts';
import { loadSearchApiConfig, SEARCH_API_FLAGS } from '../../search-api/config.ts';
import { kubectl } from '../../test/harness/index.ts';
import {
  applyMonitoringCrds,
  findObject,
  manifestsPath,
  type RenderedObject,
  renderKustomization,
} from '../test/kustomize.ts';

const OVERLAYS = ['dev', 'prod'] as const;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName: string;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}

function podSpec(deployment: RenderedObject): PodSpec {
  return (deployment as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
}

/** The environment the operator container would see, resolved from the rendered objects. */
function resolvedEnv(objects: RenderedObject[], deployment: RenderedObject, container: Container) {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    if (field === 'metadata.namespace') env[variable.name] = deployment.metadata.namespace ?? '';
    if (field === 'metadata.name') env[variable.name] = `${deployment.metadata.name}-7d9f8c6b5-x2x4z`;
    const ref = variable.valueFrom?.configMapKeyRef;
    if (ref) {
      const configMap = findObject(objects, 'ConfigMap', ref.name, deployment.metadata.namespace);
      const value = (configMap.data as Record<string, string> | undefined)?.[ref.key];
      if (value === undefined) throw new Error(`ConfigMap ${ref.name} has no key ${ref.key}`);
      env[variable.name] = value;
    }
  }
  return env;
}

beforeAll(async () => {
  await applyMonitoringCrds();
  // Namespaces are created in an earlier sync wave than what lives in them; a dry run creates nothing, so
  // they are created for real first, with their Pod Security labels: the dry run of each Deployment then
  // reports any breach of the restricted profile as a warning, which the test below refuses.
  const namespaces = (await renderKustomization('overlays/prod')).filter(
    (object) => object.kind === 'Namespace',
  );
  expect(
    namespaces.map((namespace) => namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']),
  ).toEqual(['restricted', 'restricted']);
  const created = await kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaces }),
  });
  if (created.code !== 0) throw new Error(created.stderr);
});

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  let objects: RenderedObject[];
  beforeAll(async () => {
    objects = await renderKustomization(`overlays/${overlay}`);
  });

  it('is accepted by the real apiserver (kubectl apply --dry-run=server -k)', async () => {
    const result = await kubectl(['apply', '--dry-run=server', '-k', manifestsPath(`overlays/${overlay}`)]);
    // The harness installed the CRDs with server-side apply, so client-side apply warns that it will adopt
    // them; any other output on stderr is a problem.
    const problems = result.stderr
      .split('\n')
      .filter(
        (line) =>
          line.trim() !== '' &&
          !/^Warning: resource customresourcedefinitions\/.* is missing the kubectl\.kubernetes\.io\/last-applied-configuration annotation/.test(
            line,
          ),
      );
    expect(problems).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /deployment\.apps\/shazam-operator (created|configured|unchanged) \(server dry run\)/,
    );
    expect(result.stdout).toMatch(/customresourcedefinition\.apiextensions\.k8s\.io\/assetsubmissions/);
  });

  it('ships an operator configuration that operator/config.ts accepts, with the images and pod identity', () => {
    const deployment = findObject(objects, 'Deployment', 'shazam-operator', 'shazam-system');
    const spec = podSpec(deployment);
    const container = spec.containers.find((c) => c.name === 'operator');
    if (!container) throw new Error('no operator container');
    const configArg = container.args?.[container.args.indexOf('--config') + 1] ?? '';
    const mount = container.volumeMounts?.find((m) => configArg.startsWith(`${m.mountPath}/`));
    const volume = spec.volumes?.find((v) => v.name === mount?.name);
    const configMap = findObject(objects, 'ConfigMap', volume?.configMap?.name ?? '(none)', 'shazam-system');
    const fileName = configArg.slice((mount?.mountPath.length ?? 0) + 1);
    const file = (configMap.data as Record<string, string>)[fileName];
    expect(file, `ConfigMap ${configMap.metadata.name} has no key ${fileName}`).toBeDefined();

    const env = resolvedEnv(objects, deployment, container);
    // A misspelt variable would be ignored silently by the operator.
    const known = new Set(ENV_OVERRIDES.map((override) => override.variable));
    for (const name of Object.keys(env).filter((name) => name.startsWith('SHAZAM_')))
      expect(known).toContain(name);
    const config = parseOperatorConfig(parse(file ?? ''), env, overlay);
    // The Lease lives where the pod runs, so the namespaced Role below covers it.
    expect(config.leaderElection.leaseNamespace).toBe('shazam-system');
    expect(config.leaderElection.identity).toMatch(/^shazam-operator-/);
    const ports = Object.fromEntries((container.ports ?? []).map((p) => [p.name, p.containerPort]));
    expect(ports).toEqual({ metrics: config.server.metricsPort, health: config.server.healthPort });
    // Jobs run the image of the same release as the operator (both retagged by the overlay's `images:`).
    expect(config.jobs.validation.image).toBe(container.image);
    expect(config.jobs.render.image).toBe(container.image.replace('/shazam:', '/shazam-render:'));

    const role = findObject(objects, 'Role', 'shazam-operator-leader-election', 'shazam-system');
    const rules = (role as unknown as { rules: { resourceNames?: string[] }[] }).rules;
    expect(rules.some((rule) => rule.resourceNames?.includes(config.leaderElection.leaseName))).toBe(true);

    // Every watched namespace has the operator's RoleBinding and the ServiceAccounts its Jobs run as.
    expect(config.namespaces.length).toBeGreaterThan(0);
    for (const namespace of config.namespaces) {
      findObject(objects, 'RoleBinding', 'shazam-operator', namespace);
      findObject(objects, 'ServiceAccount', config.jobs.validation.serviceAccountName, namespace);
      findObject(objects, 'ServiceAccount', config.jobs.render.serviceAccountName, namespace);
    }
  });

  it('configures the search API with variables search-api/config.ts reads, serving the watched namespace', () => {
    const deployment = findObject(objects, 'Deployment', 'shazam-search-api', 'shazam-system');
    const container = podSpec(deployment).containers.find((c) => c.name === 'search-api');
    if (!container) throw new Error('no search-api container');
    const env = resolvedEnv(objects, deployment, container);
    const known = new Set([
      ...Object.values(SEARCH_API_FLAGS).map((flag) => flag.env),
      'SHAZAM_S3_FORCE_PATH_STYLE',
    ]);
    for (const name of Object.keys(env).filter((name) => name.startsWith('SHAZAM_')))
      expect(known).toContain(name);
    const config = loadSearchApiConfig(container.args?.slice(1) ?? [], env);
    const http = container.ports?.find((port) => port.name === 'http');
    expect(config.port).toBe(http?.containerPort);
    const metrics = container.ports?.find((port) => port.name === 'metrics');
    expect(config.metricsPort).toBe(metrics?.containerPort);
    expect(config.metricsPort).not.toBe(config.port);
    expect(config.namespaces).toEqual(['shazam-pipeline']);
    if (overlay === 'prod') expect(config.cdnBaseUrl).toMatch(/^https:\/\//);
  });

  it('never puts Argo CD tracking labels on what it ships, and spreads the operator over nodes', () => {
    for (const object of objects) {
      expect(
        object.metadata.labels?.['app.kubernetes.io/instance'],
        `${object.kind}/${object.metadata.name}`,
      ).toBe(undefined);
    }
    const deployment = findObject(objects, 'Deployment', 'shazam-operator', 'shazam-system');
    const template = (deployment as unknown as { spec: { template: { spec: Record<string, unknown> } } }).spec
      .template.spec;
    expect(template.topologySpreadConstraints).toEqual(
      expect.arrayContaining([expect.objectContaining({ topologyKey: 'kubernetes.io/hostname' })]),
    );
  });
});

describe.each(OVERLAYS)('%s overlay identities', (overlay) => {
  it('annotates each workload ServiceAccount with its own IAM role of the same stack', async () => {
    const objects = await renderKustomization(`overlays/${overlay}`);
    const roles = ['shazam-operator', 'shazam-search-api', 'shazam-validation', 'shazam-render'].map(
      (name) => {
        const account = findObject(objects, 'ServiceAccount', name);
        return account.metadata.annotations?.['eks.amazonaws.com/role-arn'];
      },
    );
    expect(roles).toEqual([
      `arn:aws:iam::111122223333:role/shazam-${overlay}-operator`,
      `arn:aws:iam::111122223333:role/shazam-${overlay}-search-api`,
      `arn:aws:iam::111122223333:role/shazam-${overlay}-validation`,
      `arn:aws:iam::111122223333:role/shazam-${overlay}-render`,
    ]);
  });
});
