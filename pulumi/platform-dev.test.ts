import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyOverlayOutputs, OVERLAY_FILES, readOverlay } from './overlay-values.ts';
import {
  accountUniqueNames,
  calls,
  generatedPlatformApplications,
  installMocks,
  type MockedResource,
  resolve,
  resolvedOutputs,
  settled,
} from './test-support.ts';

// The dev stack runs the same program with cheaper settings; this file runs it in its own process (vitest
// forks per file) because Pulumi's mocks are process-wide.
const dev = (
  parse(readFileSync(new URL('Pulumi.dev.yaml', import.meta.url), 'utf8')) as {
    config: Record<string, unknown>;
  }
).config;
const resources: MockedResource[] = installMocks('dev', {
  'aws:region': String(dev['aws:region']),
  'shazam:settings': JSON.stringify(dev['shazam:settings']),
});

let program: Record<string, unknown>;
beforeAll(async () => {
  program = await import('./index.ts');
  await resolve((program as { ciRoleArn: import('@pulumi/pulumi').Output<string> }).ciRoleArn);
  await settled(resources);
}, 60_000);

const ofType = (type: string) => resources.filter((resource) => resource.type === type);

describe('the dev stack', () => {
  it('names everything shazam-dev-*, matching the dev overlay', () => {
    expect(
      ofType('aws:s3/bucket:Bucket')
        .map((bucket) => bucket.inputs.bucket)
        .sort(),
    ).toEqual(['shazam-dev-assets', 'shazam-dev-incoming']);
    const overlay = readFileSync(new URL('../manifests/overlays/dev/irsa.yaml', import.meta.url), 'utf8');
    for (const role of ['operator', 'search-api', 'validation', 'render']) {
      expect(ofType('aws:iam/role:Role').some((r) => r.inputs.name === `shazam-dev-${role}`)).toBe(true);
      expect(overlay).toContain(`role/shazam-dev-${role}`);
    }
  });

  it('shares one NAT gateway and uses spot GPU nodes that scale to zero', () => {
    expect(ofType('aws:ec2/natGateway:NatGateway')).toHaveLength(1);
    const gpu = ofType('aws:eks/nodeGroup:NodeGroup').find(
      (group) => group.inputs.nodeGroupName === 'gpu',
    )?.inputs;
    expect(gpu).toMatchObject({ capacityType: 'SPOT', scalingConfig: { minSize: 0, desiredSize: 0 } });
  });

  it('shares prod’s account without a collision: its own names, prod’s repositories and GitHub provider', () => {
    for (const entry of accountUniqueNames(resources)) expect(entry.name, entry.type).toContain('shazam-dev');
    expect(ofType('aws:ecr/repository:Repository')).toEqual([]);
    expect(
      calls.filter((call) => call.token === 'aws:ecr/getRepository:getRepository').map((c) => c.inputs.name),
    ).toEqual(['shazam', 'shazam-render']);
    expect(
      calls.find((call) => call.token === 'aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider')?.inputs
        .url,
    ).toBe('https://token.actions.githubusercontent.com');
    const ci = ofType('aws:iam/role:Role').find((role) => role.inputs.name === 'shazam-dev-ci');
    expect(String(ci?.inputs.assumeRolePolicy)).toContain(
      'oidc-provider/token.actions.githubusercontent.com',
    );
  });

  it('serves the dev overlay’s assets domain', () => {
    const operator = parse(
      readFileSync(new URL('../manifests/overlays/dev/operator.yaml', import.meta.url), 'utf8'),
    ) as { s3: { publicBaseUrl: string } };
    const [distribution] = ofType('aws:cloudfront/distribution:Distribution');
    expect(distribution?.inputs.aliases).toEqual([new URL(operator.s3.publicBaseUrl).host]);
  });

  it('has an overlay carrying exactly the stack’s outputs (pulumi/overlay-values.ts would change nothing)', async () => {
    const dir = fileURLToPath(new URL('../manifests/overlays/dev', import.meta.url));
    const files = await readOverlay(dir);
    const written = applyOverlayOutputs(files, await resolvedOutputs(program));
    for (const file of OVERLAY_FILES) expect(written[file], file).toBe(files[file]);
  });

  it('points Argo CD at the dev overlay', () => {
    const [app] = generatedPlatformApplications(resources);
    expect((app?.spec as { source?: { path: string } } | undefined)?.source?.path).toBe(
      'manifests/overlays/dev',
    );
  });
});
