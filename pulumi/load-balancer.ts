import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { serviceAccountTrustPolicy } from './policies.ts';

/** Where the AWS Load Balancer Controller runs; its IAM role trusts exactly this ServiceAccount. */
export const LOAD_BALANCER_SERVICE_ACCOUNT = {
  namespace: 'kube-system',
  name: 'aws-load-balancer-controller',
} as const;

/** Options of {@link createLoadBalancerController}. */
export interface LoadBalancerControllerArgs {
  namePrefix: string;
  clusterName: pulumi.Input<string>;
  region: string;
  vpcId: pulumi.Input<string>;
  oidcProviderArn: pulumi.Input<string>;
  oidcIssuer: pulumi.Input<string>;
  /** The search API's host (`domains.api`): a certificate is issued for it. */
  apiDomain: string;
  /** The public Route 53 zone holding `apiDomain`. */
  zoneId: pulumi.Input<string>;
  provider: k8s.Provider;
  tags: Record<string, string>;
}

/** What {@link createLoadBalancerController} made. */
export interface LoadBalancerController {
  release: k8s.helm.v3.Release;
  /** The search API's certificate, in the stack's region, found by the controller from the Ingress host. */
  apiCertificate: aws.acm.Certificate;
}

const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/**
 * The controller's IAM policy: it reads the network and certificates, and creates, changes and deletes
 * only load balancers, target groups and security groups that carry its cluster tag.
 */
export function loadBalancerControllerPolicy(): object {
  const tagged = { Null: { [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Read',
        Effect: 'Allow',
        Action: [
          'ec2:Describe*',
          'ec2:GetSecurityGroupsForVpc',
          'elasticloadbalancing:Describe*',
          'acm:ListCertificates',
          'acm:DescribeCertificate',
        ],
        Resource: '*',
      },
      {
        Sid: 'ServiceLinkedRole',
        Effect: 'Allow',
        Action: 'iam:CreateServiceLinkedRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
      },
      {
        Sid: 'CreateTagged',
        Effect: 'Allow',
        Action: [
          'ec2:CreateSecurityGroup',
          'elasticloadbalancing:CreateLoadBalancer',
          'elasticloadbalancing:CreateTargetGroup',
        ],
        Resource: '*',
        Condition: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' } },
      },
      {
        Sid: 'TagOnCreate',
        Effect: 'Allow',
        Action: ['ec2:CreateTags', 'elasticloadbalancing:AddTags'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'ec2:CreateAction': 'CreateSecurityGroup',
            'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'],
          },
        },
      },
      {
        Sid: 'ManageTagged',
        Effect: 'Allow',
        Action: [
          'ec2:AuthorizeSecurityGroupIngress',
          'ec2:RevokeSecurityGroupIngress',
          'ec2:DeleteSecurityGroup',
          'ec2:CreateTags',
          'ec2:DeleteTags',
          'elasticloadbalancing:AddTags',
          'elasticloadbalancing:RemoveTags',
          'elasticloadbalancing:ModifyLoadBalancerAttributes',
          'elasticloadbalancing:SetIpAddressType',
          'elasticloadbalancing:SetSecurityGroups',
          'elasticloadbalancing:SetSubnets',
          'elasticloadbalancing:DeleteLoadBalancer',
          'elasticloadbalancing:ModifyTargetGroup',
          'elasticloadbalancing:ModifyTargetGroupAttributes',
          'elasticloadbalancing:DeleteTargetGroup',
          'elasticloadbalancing:RegisterTargets',
          'elasticloadbalancing:DeregisterTargets',
        ],
        Resource: '*',
        Condition: tagged,
      },
      {
        Sid: 'ListenersAndRules',
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:CreateListener',
          'elasticloadbalancing:DeleteListener',
          'elasticloadbalancing:ModifyListener',
          'elasticloadbalancing:AddListenerCertificates',
          'elasticloadbalancing:RemoveListenerCertificates',
          'elasticloadbalancing:CreateRule',
          'elasticloadbalancing:DeleteRule',
          'elasticloadbalancing:ModifyRule',
          'elasticloadbalancing:SetRulePriorities',
        ],
        Resource: '*',
      },
    ],
  };
}

/**
 * Installs the AWS Load Balancer Controller (IRSA role limited to load balancers it tags), which turns the
 * search API's Ingress (manifests/base/search-api/ingress.yaml, class `alb`) into an internet-facing ALB,
 * and issues the DNS-validated certificate for the API host that the controller attaches to it.
 *
 * @example
 * ```ts
 * createLoadBalancerController({ namePrefix, clusterName, region, vpcId, oidcProviderArn, oidcIssuer, apiDomain: 'api.shazam.dev', zoneId, provider, tags });
 * ```
 */
export function createLoadBalancerController(
  args: LoadBalancerControllerArgs,
  parent?: pulumi.Resource,
): LoadBalancerController {
  const component = new pulumi.ComponentResource(
    'shazam:platform:LoadBalancerController',
    args.namePrefix,
    {},
    { parent },
  );
  const opts = { parent: component };
  const name = `${args.namePrefix}-load-balancer-controller`;
  const role = new aws.iam.Role(
    name,
    {
      name,
      assumeRolePolicy: pulumi
        .all([args.oidcProviderArn, args.oidcIssuer])
        .apply(([providerArn, issuer]) =>
          JSON.stringify(serviceAccountTrustPolicy(providerArn, issuer, LOAD_BALANCER_SERVICE_ACCOUNT)),
        ),
      tags: args.tags,
    },
    opts,
  );
  new aws.iam.RolePolicy(
    name,
    { role: role.id, policy: JSON.stringify(loadBalancerControllerPolicy()) },
    opts,
  );

  const apiCertificate = new aws.acm.Certificate(
    `${args.namePrefix}-api`,
    { domainName: args.apiDomain, validationMethod: 'DNS', tags: args.tags },
    opts,
  );
  const record = new aws.route53.Record(
    `${args.namePrefix}-api-validation`,
    {
      zoneId: args.zoneId,
      name: apiCertificate.domainValidationOptions.apply((o) => o[0]?.resourceRecordName ?? ''),
      type: apiCertificate.domainValidationOptions.apply((o) => o[0]?.resourceRecordType ?? 'CNAME'),
      records: [apiCertificate.domainValidationOptions.apply((o) => o[0]?.resourceRecordValue ?? '')],
      ttl: 300,
      allowOverwrite: true,
    },
    opts,
  );
  new aws.acm.CertificateValidation(
    `${args.namePrefix}-api`,
    { certificateArn: apiCertificate.arn, validationRecordFqdns: [record.fqdn] },
    opts,
  );

  const release = new k8s.helm.v3.Release(
    name,
    {
      name: 'aws-load-balancer-controller',
      chart: 'aws-load-balancer-controller',
      version: '1.13.3',
      namespace: LOAD_BALANCER_SERVICE_ACCOUNT.namespace,
      repositoryOpts: { repo: 'https://aws.github.io/eks-charts' },
      values: {
        clusterName: args.clusterName,
        region: args.region,
        vpcId: args.vpcId,
        serviceAccount: {
          create: true,
          name: LOAD_BALANCER_SERVICE_ACCOUNT.name,
          annotations: { 'eks.amazonaws.com/role-arn': role.arn },
        },
        // No WAF or Shield integration: the policy above does not grant them.
        enableShield: false,
        enableWaf: false,
        enableWafv2: false,
      },
    },
    { parent: component, provider: args.provider },
  );
  return { release, apiCertificate };
}
