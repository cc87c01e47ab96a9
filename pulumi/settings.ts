import { Ajv } from 'ajv';

/** Scaling of one EKS managed node group. */
export interface NodeGroupSettings {
  instanceTypes: string[];
  minSize: number;
  desiredSize: number;
  maxSize: number;
  /** `ON_DEMAND` or `SPOT`; system nodes are always on demand. */
  capacityType?: 'ON_DEMAND' | 'SPOT';
}

/** Everything a stack file (`Pulumi.<stack>.yaml`, key `shazam:settings`) may set. */
export interface StackSettings {
  /** The zones the VPC spans; one public and one private subnet in each. */
  availabilityZones: string[];
  vpcCidr: string;
  kubernetesVersion: string;
  systemNodes: NodeGroupSettings;
  gpuNodes: NodeGroupSettings;
  /** Artist uploads under incoming/ are deleted this many days after upload (the ingested copy stays). */
  incomingExpirationDays: number;
  /** Overwritten or deleted object versions are kept this many days, then expire. */
  noncurrentVersionExpirationDays: number;
  /** One NAT gateway for all zones (cheaper, one zone's outage cuts egress) instead of one per zone. */
  singleNatGateway: boolean;
  git: { repoUrl: string; revision: string; submissionsRepoUrl: string };
  /** `owner/name` of the GitHub repository whose main-branch workflows may push images to ECR. */
  githubRepository: string;
  /** IAM principals given cluster-admin through EKS access entries. */
  clusterAdminArns: string[];
  /**
   * DNS names the stack serves under a public Route 53 zone it does not create: `assets` (CloudFront, the
   * operator's `s3.publicBaseUrl`) and `api` (the search API's load balancer).
   */
  domains: { zone: string; assets: string; api: string };
  /**
   * Whether this stack creates the account-wide resources (the ECR repositories every stack's images come
   * from, GitHub's OIDC provider). Exactly one stack per AWS account does; the others look them up.
   */
  ownsAccountResources: boolean;
}

/** Thrown when `shazam:settings` is missing or invalid; the message names each field and the fix. */
export class StackSettingsError extends Error {
  override name = 'StackSettingsError';
  readonly code = 'SHAZAM_E_STACK_SETTINGS';
}

const NODE_GROUP = {
  type: 'object',
  additionalProperties: false,
  required: ['instanceTypes', 'minSize', 'desiredSize', 'maxSize'],
  properties: {
    instanceTypes: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', pattern: '^[a-z0-9]+\\.[a-z0-9]+$' },
    },
    minSize: { type: 'integer', minimum: 0 },
    desiredSize: { type: 'integer', minimum: 0 },
    maxSize: { type: 'integer', minimum: 1 },
    capacityType: { enum: ['ON_DEMAND', 'SPOT'] },
  },
} as const;

const HOSTNAME = '^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$';

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: [
    'availabilityZones',
    'vpcCidr',
    'kubernetesVersion',
    'systemNodes',
    'gpuNodes',
    'incomingExpirationDays',
    'noncurrentVersionExpirationDays',
    'singleNatGateway',
    'git',
    'githubRepository',
    'clusterAdminArns',
    'domains',
    'ownsAccountResources',
  ],
  properties: {
    availabilityZones: {
      type: 'array',
      minItems: 2,
      maxItems: 4,
      uniqueItems: true,
      items: { type: 'string' },
    },
    vpcCidr: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.0\\.0/16$' },
    kubernetesVersion: { type: 'string', pattern: '^1\\.[0-9]+$' },
    systemNodes: NODE_GROUP,
    gpuNodes: NODE_GROUP,
    incomingExpirationDays: { type: 'integer', minimum: 1, maximum: 3650 },
    noncurrentVersionExpirationDays: { type: 'integer', minimum: 1, maximum: 3650 },
    singleNatGateway: { type: 'boolean' },
    git: {
      type: 'object',
      additionalProperties: false,
      required: ['repoUrl', 'revision', 'submissionsRepoUrl'],
      properties: {
        repoUrl: { type: 'string', pattern: '^https://' },
        revision: { type: 'string', minLength: 1 },
        submissionsRepoUrl: { type: 'string', pattern: '^https://' },
      },
    },
    githubRepository: { type: 'string', pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$' },
    clusterAdminArns: { type: 'array', items: { type: 'string', pattern: '^arn:aws:iam::[0-9]{12}:' } },
    domains: {
      type: 'object',
      additionalProperties: false,
      required: ['zone', 'assets', 'api'],
      properties: {
        zone: { type: 'string', pattern: HOSTNAME },
        assets: { type: 'string', pattern: HOSTNAME },
        api: { type: 'string', pattern: HOSTNAME },
      },
    },
    ownsAccountResources: { type: 'boolean' },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: false }).compile(SCHEMA);

/**
 * Validates the `shazam:settings` object of a stack.
 *
 * @example
 * ```ts
 * const settings = parseStackSettings(new pulumi.Config('shazam').requireObject('settings'), 'prod');
 * ```
 */
export function parseStackSettings(value: unknown, stack: string): StackSettings {
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((error) => {
      const where = error.instancePath.replaceAll('/', '.').replace(/^\./, '') || '(top level)';
      return `${where} ${error.message ?? 'is invalid'}`;
    });
    throw new StackSettingsError(
      `shazam:settings in Pulumi.${stack}.yaml is invalid: ${problems.join('; ')}. See docs/deploy.md for every field.`,
    );
  }
  const settings = value as unknown as StackSettings;
  for (const [name, group] of Object.entries({
    systemNodes: settings.systemNodes,
    gpuNodes: settings.gpuNodes,
  })) {
    if (!(group.minSize <= group.desiredSize && group.desiredSize <= group.maxSize)) {
      throw new StackSettingsError(
        `shazam:settings.${name} in Pulumi.${stack}.yaml needs minSize <= desiredSize <= maxSize (got ${group.minSize}, ${group.desiredSize}, ${group.maxSize}).`,
      );
    }
  }
  for (const name of ['assets', 'api'] as const) {
    const host = settings.domains[name];
    if (!host.endsWith(`.${settings.domains.zone}`)) {
      throw new StackSettingsError(
        `shazam:settings.domains.${name} in Pulumi.${stack}.yaml must be a name under domains.zone (${settings.domains.zone}), got ${host}.`,
      );
    }
  }
  return settings;
}
