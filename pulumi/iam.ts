import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  artistUploadPolicy,
  type StorageArns,
  serviceAccountTrustPolicy,
  WORKLOAD_SERVICE_ACCOUNTS,
  type Workload,
  workloadPolicy,
} from './policies.ts';

/** Options of {@link createWorkloadRoles}. */
export interface WorkloadRolesArgs {
  namePrefix: string;
  oidcProviderArn: pulumi.Input<string>;
  /** The issuer without `https://`. */
  oidcIssuer: pulumi.Input<string>;
  incomingBucketArn: pulumi.Input<string>;
  assetsBucketArn: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** The roles of {@link createWorkloadRoles}, one per workload, and the artists' upload policy. */
export interface WorkloadRoles {
  roles: Record<Workload, aws.iam.Role>;
  artistUploadPolicy: aws.iam.Policy;
}

/**
 * Creates one IAM role per workload (IRSA), named `<prefix>-<workload>` so that the prod overlay's
 * ServiceAccount annotations are predictable, each trusted by its ServiceAccount only and limited by an
 * inline policy to the S3 prefixes it needs.
 *
 * @example
 * ```ts
 * const { roles } = createWorkloadRoles({ namePrefix: 'shazam-prod', oidcProviderArn, oidcIssuer, incomingBucketArn, assetsBucketArn, kmsKeyArn, tags });
 * ```
 */
export function createWorkloadRoles(args: WorkloadRolesArgs, parent?: pulumi.Resource): WorkloadRoles {
  const component = new pulumi.ComponentResource(
    'shazam:platform:WorkloadRoles',
    args.namePrefix,
    {},
    { parent },
  );
  const arns: pulumi.Output<StorageArns> = pulumi
    .all([args.incomingBucketArn, args.assetsBucketArn, args.kmsKeyArn])
    .apply(([incomingBucketArn, assetsBucketArn, kmsKeyArn]) => ({
      incomingBucketArn,
      assetsBucketArn,
      kmsKeyArn,
    }));
  const roles = {} as Record<Workload, aws.iam.Role>;
  for (const [workload, account] of Object.entries(WORKLOAD_SERVICE_ACCOUNTS) as [
    Workload,
    (typeof WORKLOAD_SERVICE_ACCOUNTS)[Workload],
  ][]) {
    const name = `${args.namePrefix}-${account.roleSuffix}`;
    const role = new aws.iam.Role(
      name,
      {
        name,
        description: `SHAZAM ${workload}: ServiceAccount ${account.namespace}/${account.name}`,
        assumeRolePolicy: pulumi
          .all([args.oidcProviderArn, args.oidcIssuer])
          .apply(([providerArn, issuer]) =>
            JSON.stringify(serviceAccountTrustPolicy(providerArn, issuer, account)),
          ),
        maxSessionDuration: 3600,
        tags: args.tags,
      },
      { parent: component },
    );
    new aws.iam.RolePolicy(
      name,
      { role: role.id, policy: arns.apply((resolved) => JSON.stringify(workloadPolicy(workload, resolved))) },
      { parent: component },
    );
    roles[workload] = role;
  }
  const artistPolicy = new aws.iam.Policy(
    `${args.namePrefix}-artist-upload`,
    {
      name: `${args.namePrefix}-artist-upload`,
      description: 'Attach to the artists group: upload deliveries to incoming/, nothing else',
      policy: arns.apply((resolved) => JSON.stringify(artistUploadPolicy(resolved))),
      tags: args.tags,
    },
    { parent: component },
  );
  return { roles, artistUploadPolicy: artistPolicy };
}
