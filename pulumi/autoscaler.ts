import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { serviceAccountTrustPolicy } from './policies.ts';

/** Where the autoscaler runs; its IAM role trusts exactly this ServiceAccount. */
export const AUTOSCALER_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'cluster-autoscaler' } as const;

/** Options of {@link createClusterAutoscaler}. */
export interface ClusterAutoscalerArgs {
  namePrefix: string;
  clusterName: pulumi.Input<string>;
  region: string;
  oidcProviderArn: pulumi.Input<string>;
  oidcIssuer: pulumi.Input<string>;
  provider: k8s.Provider;
  tags: Record<string, string>;
}

/**
 * Installs the Kubernetes cluster autoscaler, which scales the GPU node group up from zero when a render
 * pod is pending and back down when it is idle. Its role may change only the Auto Scaling groups EKS tagged
 * as this cluster's.
 *
 * @example
 * ```ts
 * createClusterAutoscaler({ namePrefix, clusterName, region, oidcProviderArn, oidcIssuer, provider, tags });
 * ```
 */
export function createClusterAutoscaler(
  args: ClusterAutoscalerArgs,
  parent?: pulumi.Resource,
): k8s.helm.v3.Release {
  const component = new pulumi.ComponentResource(
    'shazam:platform:ClusterAutoscaler',
    args.namePrefix,
    {},
    { parent },
  );
  const opts = { parent: component };
  const name = `${args.namePrefix}-cluster-autoscaler`;
  const role = new aws.iam.Role(
    name,
    {
      name,
      assumeRolePolicy: pulumi
        .all([args.oidcProviderArn, args.oidcIssuer])
        .apply(([providerArn, issuer]) =>
          JSON.stringify(serviceAccountTrustPolicy(providerArn, issuer, AUTOSCALER_SERVICE_ACCOUNT)),
        ),
      tags: args.tags,
    },
    opts,
  );
  new aws.iam.RolePolicy(
    name,
    {
      role: role.id,
      policy: pulumi.output(args.clusterName).apply((clusterName) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Describe',
              Effect: 'Allow',
              Action: [
                'autoscaling:DescribeAutoScalingGroups',
                'autoscaling:DescribeAutoScalingInstances',
                'autoscaling:DescribeLaunchConfigurations',
                'autoscaling:DescribeScalingActivities',
                'autoscaling:DescribeTags',
                'ec2:DescribeImages',
                'ec2:DescribeInstanceTypes',
                'ec2:DescribeLaunchTemplateVersions',
                'ec2:GetInstanceTypesFromInstanceRequirements',
                'eks:DescribeNodegroup',
              ],
              Resource: ['*'],
            },
            {
              Sid: 'ScaleOwnGroups',
              Effect: 'Allow',
              Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
              Resource: ['*'],
              Condition: {
                StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: 'owned' },
              },
            },
          ],
        }),
      ),
    },
    opts,
  );
  return new k8s.helm.v3.Release(
    name,
    {
      name: 'cluster-autoscaler',
      chart: 'cluster-autoscaler',
      version: '9.46.6',
      namespace: AUTOSCALER_SERVICE_ACCOUNT.namespace,
      repositoryOpts: { repo: 'https://kubernetes.github.io/autoscaler' },
      values: {
        autoDiscovery: { clusterName: args.clusterName },
        awsRegion: args.region,
        rbac: {
          serviceAccount: {
            name: AUTOSCALER_SERVICE_ACCOUNT.name,
            annotations: { 'eks.amazonaws.com/role-arn': role.arn },
          },
        },
        extraArgs: {
          // GPU nodes are expensive: release one soon after the last render leaves it.
          'scale-down-unneeded-time': '5m',
          'balance-similar-node-groups': true,
          'skip-nodes-with-system-pods': false,
        },
      },
    },
    { ...opts, provider: args.provider },
  );
}
