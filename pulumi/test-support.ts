import { readFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { type ApplicationSetSpec, generateApplications } from '../manifests/test/applicationset.ts';

/** One resource the program registered under mocks: its type token, logical name and resolved inputs. */
export interface MockedResource {
  type: string;
  name: string;
  id: string;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
}

const ACCOUNT = '111122223333';
/** The OIDC issuer the mocked EKS cluster reports. */
export const MOCK_OIDC_ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

function mockArn(type: string, name: string, inputs: Record<string, unknown>): string {
  const service = type.split(':')[1]?.split('/')[0] ?? 'mock';
  if (service === 's3') return `arn:aws:s3:::${String(inputs.bucket ?? name)}`;
  if (service === 'ecr') return `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${String(inputs.name ?? name)}`;
  if (service === 'iam')
    return `arn:aws:iam::${ACCOUNT}:${type.endsWith('Role') ? 'role' : 'resource'}/${String(inputs.name ?? name)}`;
  return `arn:aws:${service}:us-east-1:${ACCOUNT}:${name}`;
}

/** What the provider would report after create, for the few outputs the program reads back. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const state: Record<string, unknown> = { ...inputs, arn: mockArn(type, name, inputs) };
  switch (type) {
    case 'aws:eks/cluster:Cluster':
      state.identities = [{ oidcs: [{ issuer: `https://${MOCK_OIDC_ISSUER}` }] }];
      state.endpoint = 'https://EXAMPLE.gr7.us-east-1.eks.amazonaws.com';
      state.certificateAuthority = { data: 'Q0EK' };
      break;
    case 'aws:iam/openIdConnectProvider:OpenIdConnectProvider':
      state.arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, '')}`;
      break;
    case 'aws:s3/bucket:Bucket':
      state.bucketRegionalDomainName = `${String(inputs.bucket)}.s3.us-east-1.amazonaws.com`;
      break;
    case 'aws:ecr/repository:Repository':
      state.repositoryUrl = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${String(inputs.name)}`;
      break;
    case 'aws:kms/key:Key':
      state.keyId = `${name}-key-id`;
      break;
    case 'aws:cloudfront/distribution:Distribution':
      state.domainName = 'd111111abcdef8.cloudfront.net';
      state.hostedZoneId = 'Z2FDTNDATAQYW2';
      break;
    case 'aws:acm/certificate:Certificate':
      state.domainValidationOptions = [
        {
          domainName: inputs.domainName,
          resourceRecordName: `_a79865eb4cd1a6ab990a45779b4e0b96.${String(inputs.domainName)}.`,
          resourceRecordType: 'CNAME',
          resourceRecordValue: '_424c7224e9b0146f9a8808af955727d0.acm-validations.aws.',
        },
      ];
      break;
    case 'aws:acm/certificateValidation:CertificateValidation':
      state.certificateArn = inputs.certificateArn;
      break;
    case 'aws:route53/record:Record':
      state.fqdn = String(inputs.name).replace(/\.$/, '');
      break;
  }
  return state;
}

/** One data-source call (lookup) the program made under mocks. */
export interface MockedCall {
  token: string;
  inputs: Record<string, unknown>;
}

/** Every lookup of the program under the current mocks (cleared by {@link installMocks}). */
export const calls: MockedCall[] = [];

/** What AWS would answer to the lookups the program makes. */
function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/deployer`, userId: 'AIDEXAMPLE' };
    case 'aws:route53/getZone:getZone':
      return { ...inputs, zoneId: 'Z0EXAMPLEZONE', id: 'Z0EXAMPLEZONE' };
    case 'aws:ecr/getRepository:getRepository':
      return {
        ...inputs,
        arn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${String(inputs.name)}`,
        repositoryUrl: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${String(inputs.name)}`,
      };
    case 'aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider':
      return {
        ...inputs,
        arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, '')}`,
      };
    default:
      return inputs;
  }
}

/**
 * Installs Pulumi's mocks (no cloud, no provider plugins) for `stack` with `config`, recording every
 * registered resource into the returned array.
 */
export function installMocks(stack: string, config: Record<string, string>): MockedResource[] {
  const resources: MockedResource[] = [];
  calls.length = 0;
  pulumi.runtime.setAllConfig(config);
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const id = `${args.name}-id`;
        const state = mockState(args.type, args.name, args.inputs);
        resources.push({ type: args.type, name: args.name, id, inputs: args.inputs, state });
        return { id, state };
      },
      call: (args) => {
        calls.push({ token: args.token, inputs: args.inputs });
        return mockCall(args.token, args.inputs);
      },
    },
    'shazam',
    stack,
    false,
  );
  return resources;
}

/** Resolves an Output under mocks. */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply((value) => done(value)));
}

/** Waits until no resource has been registered for a few event-loop turns. */
export async function settled(resources: MockedResource[]): Promise<void> {
  let previous = -1;
  let quiet = 0;
  while (quiet < 5) {
    await new Promise((done) => setTimeout(done, 20));
    quiet = resources.length === previous ? quiet + 1 : 0;
    previous = resources.length;
  }
}

/** One IAM statement as tests read it. */
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: unknown;
}

const asList = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

function globMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${regex}$`).test(value);
}

/**
 * Evaluates an identity policy the way IAM does for one action on one resource, for statements without
 * conditions: an explicit Deny wins, then any Allow; otherwise the default is deny.
 */
export function policyAllows(policy: { Statement: Statement[] }, action: string, resource: string): boolean {
  const matching = policy.Statement.filter(
    (statement) =>
      statement.Condition === undefined &&
      asList(statement.Action).some((pattern) => globMatches(pattern, action)) &&
      asList(statement.Resource).some((pattern) => globMatches(pattern, resource)),
  );
  if (matching.some((statement) => statement.Effect === 'Deny')) return false;
  return matching.some((statement) => statement.Effect === 'Allow');
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Merges Helm values the way Helm does for `--values` over a chart's values.yaml: maps merge key by key,
 * everything else (lists included) is replaced by the override.
 */
export function helmMerge(defaults: unknown, overrides: unknown): unknown {
  if (!isMap(defaults) || !isMap(overrides)) return overrides === undefined ? defaults : overrides;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) merged[key] = helmMerge(defaults[key], value);
  return merged;
}

/**
 * The labels Prometheus stores for one scraped series: the target's labels are attached, and where a
 * series already has one of them, `honor_labels: true` keeps the series' value while `false` renames the
 * series' label to `exported_<name>` and takes the target's (Prometheus' scrape_config semantics).
 */
export function scrapedLabels(
  series: Record<string, string>,
  target: Record<string, string>,
  honorLabels: boolean,
): Record<string, string> {
  const stored: Record<string, string> = { ...series };
  for (const [name, value] of Object.entries(target)) {
    if (!(name in series)) stored[name] = value;
    else if (!honorLabels) {
      stored[`exported_${name}`] = series[name] as string;
      stored[name] = value;
    }
  }
  return stored;
}

/** One statement of a resource policy (a bucket or key policy), as tests read it. */
interface ResourceStatement {
  Effect: string;
  Principal: '*' | Record<string, string | string[]>;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * Evaluates a resource policy for one request: who asks (`{ Service: … }` or `{ AWS: … }`), the action,
 * the resource and the request's condition keys. Supports the condition operators our policies use
 * (StringEquals, StringLike, Bool); an unknown operator fails closed. An explicit Deny wins.
 */
export function resourcePolicyAllows(
  policy: { Statement: ResourceStatement[] },
  request: {
    principal: Record<string, string>;
    action: string;
    resource: string;
    context?: Record<string, string>;
  },
): boolean {
  const principalMatches = (principal: ResourceStatement['Principal']) =>
    principal === '*' ||
    Object.entries(request.principal).some(([kind, who]) =>
      asList(principal[kind] ?? []).some((allowed) => allowed === '*' || allowed === who),
    );
  const conditionHolds = (condition: ResourceStatement['Condition']) =>
    Object.entries(condition ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([key, expected]) => {
        const actual = request.context?.[key];
        if (actual === undefined) return false;
        const values = asList(expected);
        if (operator === 'StringEquals' || operator === 'Bool') return values.includes(actual);
        if (operator === 'StringLike') return values.some((pattern) => globMatches(pattern, actual));
        return false;
      }),
    );
  const matching = policy.Statement.filter(
    (statement) =>
      principalMatches(statement.Principal) &&
      asList(statement.Action).some((pattern) => globMatches(pattern, request.action)) &&
      asList(statement.Resource).some((pattern) => globMatches(pattern, request.resource)) &&
      conditionHolds(statement.Condition),
  );
  if (matching.some((statement) => statement.Effect === 'Deny')) return false;
  return matching.some((statement) => statement.Effect === 'Allow');
}

/** Types whose physical name must be unique in an AWS account (or globally), and the input naming it. */
const ACCOUNT_UNIQUE_NAMES: Record<string, string> = {
  'aws:s3/bucket:Bucket': 'bucket',
  'aws:iam/role:Role': 'name',
  'aws:iam/policy:Policy': 'name',
  'aws:iam/openIdConnectProvider:OpenIdConnectProvider': 'url',
  'aws:ecr/repository:Repository': 'name',
  'aws:kms/alias:Alias': 'name',
  'aws:cloudfront/originAccessControl:OriginAccessControl': 'name',
  'aws:eks/cluster:Cluster': 'name',
};

/**
 * The physical names the program creates that two stacks in one AWS account must not share. A cluster's
 * own OIDC provider is left out: EKS gives every cluster an issuer URL of its own.
 */
export function accountUniqueNames(resources: MockedResource[]): { type: string; name: string }[] {
  return resources.flatMap((resource) => {
    const field = ACCOUNT_UNIQUE_NAMES[resource.type];
    const name = String(resource.inputs[field ?? '']);
    return field === undefined || name.startsWith('https://oidc.eks.') ? [] : [{ type: resource.type, name }];
  });
}

/**
 * The Applications the platform ApplicationSet (manifests/argocd/apps/applicationset.yaml) generates for the
 * cluster Secrets the program registered with Argo CD.
 */
export function generatedPlatformApplications(resources: MockedResource[]): Record<string, unknown>[] {
  const appSet = parse(
    readFileSync(new URL('../manifests/argocd/apps/applicationset.yaml', import.meta.url), 'utf8'),
  ) as { spec: ApplicationSetSpec };
  const clusters = resources
    .filter((resource) => resource.type === 'kubernetes:core/v1:Secret')
    .map((resource) => ({
      metadata: resource.inputs.metadata as { labels?: Record<string, string> },
      data: resource.inputs.stringData as { name: string; server: string },
    }))
    .filter(({ metadata }) => metadata.labels?.['argocd.argoproj.io/secret-type'] === 'cluster')
    .map(({ metadata, data }) => ({ name: data.name, server: data.server, labels: metadata.labels ?? {} }));
  return generateApplications(appSet.spec, clusters);
}

/** Every export of the program resolved to plain values, as `pulumi stack output --json` prints them. */
export async function resolvedOutputs(program: Record<string, unknown>): Promise<Record<string, unknown>> {
  const settle = async (value: unknown): Promise<unknown> => {
    if (pulumi.Output.isInstance(value)) return settle(await resolve(value as pulumi.Output<unknown>));
    if (Array.isArray(value)) return Promise.all(value.map(settle));
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(
        await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await settle(item)])),
      );
    return value;
  };
  const entries = Object.entries(program).filter(([name]) => name !== 'kubeconfig' && name !== 'default');
  return Object.fromEntries(
    await Promise.all(entries.map(async ([name, value]) => [name, await settle(value)])),
  );
}
