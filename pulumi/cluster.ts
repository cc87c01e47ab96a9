import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { NodeGroupSettings } from './settings.ts';

/** Options of {@link createCluster}. */
export interface ClusterArgs {
  name: string;
  kubernetesVersion: string;
  /** Private subnets: nodes and the control plane's network interfaces. */
  subnetIds: pulumi.Input<string>[];
  systemNodes: NodeGroupSettings;
  /** IAM principals given cluster-admin through EKS access entries. */
  clusterAdminArns: string[];
  tags: Record<string, string>;
}

/** The cluster of {@link createCluster} and what other parts build on. */
export interface Cluster {
  cluster: aws.eks.Cluster;
  /** IAM role of every node group (system and GPU). */
  nodeRole: aws.iam.Role;
  /** The cluster's OIDC issuer registered in IAM, for IAM roles for service accounts. */
  oidcProvider: aws.iam.OpenIdConnectProvider;
  /** The issuer without `https://`, as IAM condition keys spell it. */
  oidcIssuer: pulumi.Output<string>;
  kubeconfig: pulumi.Output<string>;
  provider: k8s.Provider;
}

const NODE_POLICIES = [
  'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
];

/**
 * Add-on configuration. The VPC CNI enforces NetworkPolicies only when its network policy agent is
 * enabled; without it every policy in manifests/ is accepted by the apiserver and ignored.
 */
export const ADDON_CONFIGURATION: Record<string, string | undefined> = {
  'vpc-cni': JSON.stringify({ enableNetworkPolicy: 'true' }),
};

function serviceRole(
  name: string,
  service: string,
  policies: string[],
  parent: pulumi.Resource,
  tags: Record<string, string>,
) {
  const role = new aws.iam.Role(
    name,
    {
      name,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
      }),
      tags,
    },
    { parent },
  );
  policies.forEach((policyArn, index) => {
    new aws.iam.RolePolicyAttachment(`${name}-${index}`, { role: role.name, policyArn }, { parent });
  });
  return role;
}

/**
 * Creates an EKS cluster (private endpoint plus public API, secrets encrypted with KMS, API access entries),
 * its OIDC provider for IRSA, a system node group, and a Kubernetes provider for what runs inside.
 *
 * @example
 * ```ts
 * const cluster = createCluster({ name: 'shazam-prod', kubernetesVersion: '1.36', subnetIds, systemNodes, clusterAdminArns: [], tags });
 * ```
 */
export function createCluster(args: ClusterArgs, parent?: pulumi.Resource): Cluster {
  const component = new pulumi.ComponentResource('shazam:platform:Cluster', args.name, {}, { parent });
  const opts = { parent: component };
  const clusterRole = serviceRole(
    `${args.name}-cluster`,
    'eks.amazonaws.com',
    ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy'],
    component,
    args.tags,
  );
  const secretsKey = new aws.kms.Key(
    `${args.name}-secrets`,
    { description: `${args.name} Kubernetes secrets`, enableKeyRotation: true, tags: args.tags },
    opts,
  );
  const cluster = new aws.eks.Cluster(
    args.name,
    {
      name: args.name,
      version: args.kubernetesVersion,
      roleArn: clusterRole.arn,
      vpcConfig: { subnetIds: args.subnetIds, endpointPrivateAccess: true, endpointPublicAccess: true },
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: secretsKey.arn } },
      enabledClusterLogTypes: ['api', 'audit', 'authenticator'],
      tags: args.tags,
    },
    opts,
  );
  args.clusterAdminArns.forEach((principalArn, index) => {
    const entry = new aws.eks.AccessEntry(
      `${args.name}-admin-${index}`,
      { clusterName: cluster.name, principalArn },
      opts,
    );
    new aws.eks.AccessPolicyAssociation(
      `${args.name}-admin-${index}`,
      {
        clusterName: cluster.name,
        principalArn,
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        accessScope: { type: 'cluster' },
      },
      { ...opts, dependsOn: [entry] },
    );
  });

  const issuerUrl = cluster.identities.apply((identities) => identities[0]?.oidcs?.[0]?.issuer ?? '');
  const oidcProvider = new aws.iam.OpenIdConnectProvider(
    `${args.name}-oidc`,
    { url: issuerUrl, clientIdLists: ['sts.amazonaws.com'], tags: args.tags },
    opts,
  );
  const oidcIssuer = issuerUrl.apply((url) => url.replace(/^https:\/\//, ''));

  const nodeRole = serviceRole(`${args.name}-node`, 'ec2.amazonaws.com', NODE_POLICIES, component, args.tags);
  new aws.eks.NodeGroup(
    `${args.name}-system`,
    {
      clusterName: cluster.name,
      nodeGroupName: 'system',
      nodeRoleArn: nodeRole.arn,
      subnetIds: args.subnetIds,
      instanceTypes: args.systemNodes.instanceTypes,
      capacityType: 'ON_DEMAND',
      amiType: 'AL2023_x86_64_STANDARD',
      scalingConfig: {
        minSize: args.systemNodes.minSize,
        desiredSize: args.systemNodes.desiredSize,
        maxSize: args.systemNodes.maxSize,
      },
      updateConfig: { maxUnavailable: 1 },
      labels: { 'shazam.dev/pool': 'system' },
      tags: args.tags,
    },
    { ...opts, ignoreChanges: ['scalingConfig.desiredSize'] },
  );
  for (const addon of ['vpc-cni', 'coredns', 'kube-proxy', 'eks-pod-identity-agent']) {
    new aws.eks.Addon(
      `${args.name}-${addon}`,
      {
        clusterName: cluster.name,
        addonName: addon,
        configurationValues: ADDON_CONFIGURATION[addon],
        resolveConflictsOnUpdate: 'OVERWRITE',
      },
      opts,
    );
  }

  const kubeconfig = pulumi
    .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
    .apply(([name, endpoint, authority]) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name, cluster: { server: endpoint, 'certificate-authority-data': authority.data } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        'current-context': name,
        users: [
          {
            name,
            // Short-lived tokens from the caller's AWS credentials; nothing long-lived is stored.
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1beta1',
                command: 'aws',
                args: ['eks', 'get-token', '--cluster-name', name, '--output', 'json'],
              },
            },
          },
        ],
      }),
    );
  const provider = new k8s.Provider(args.name, { kubeconfig, enableServerSideApply: true }, opts);
  return { cluster, nodeRole, oidcProvider, oidcIssuer, kubeconfig: pulumi.secret(kubeconfig), provider };
}
