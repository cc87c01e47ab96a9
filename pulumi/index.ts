/**
 * SHAZAM's AWS platform for one stack (`dev`, `prod`): composes the parts and exports what the operator's
 * configuration and the stack's overlay need (`pulumi stack output --json | npx tsx
 * pulumi/overlay-values.ts manifests/overlays/<stack>` writes them in). Each part is a factory in its own
 * module.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { createArgoCd } from './argocd.ts';
import { createClusterAutoscaler } from './autoscaler.ts';
import { createCdn } from './cdn.ts';
import { createCluster } from './cluster.ts';
import { createGpuNodes } from './gpu-nodes.ts';
import { createWorkloadRoles } from './iam.ts';
import { createLoadBalancerController } from './load-balancer.ts';
import { createMonitoring } from './monitoring.ts';
import { createNetwork } from './network.ts';
import { createRegistries } from './registries.ts';
import { parseStackSettings } from './settings.ts';
import { createStorage } from './storage.ts';

const stack = pulumi.getStack();
const settings = parseStackSettings(new pulumi.Config('shazam').requireObject('settings'), stack);
const region = new pulumi.Config('aws').require('region');
const namePrefix = `shazam-${stack}`;
const tags = { 'shazam.dev/stack': stack, 'app.kubernetes.io/part-of': 'shazam' };
const accountId = aws.getCallerIdentityOutput().accountId;
const zone = aws.route53.getZoneOutput({ name: settings.domains.zone, privateZone: false });

const network = createNetwork({
  namePrefix,
  region,
  cidr: settings.vpcCidr,
  availabilityZones: settings.availabilityZones,
  singleNatGateway: settings.singleNatGateway,
  clusterName: namePrefix,
  tags,
});
const privateSubnetIds = network.privateSubnets.map((subnet) => subnet.id);
const cluster = createCluster({
  name: namePrefix,
  kubernetesVersion: settings.kubernetesVersion,
  subnetIds: privateSubnetIds,
  systemNodes: settings.systemNodes,
  clusterAdminArns: settings.clusterAdminArns,
  tags,
});
createGpuNodes({
  clusterName: cluster.cluster.name,
  namePrefix,
  nodeRoleArn: cluster.nodeRole.arn,
  subnetIds: privateSubnetIds,
  nodes: settings.gpuNodes,
  provider: cluster.provider,
  tags,
});
createClusterAutoscaler({
  namePrefix,
  clusterName: cluster.cluster.name,
  region,
  oidcProviderArn: cluster.oidcProvider.arn,
  oidcIssuer: cluster.oidcIssuer,
  provider: cluster.provider,
  tags,
});
createLoadBalancerController({
  namePrefix,
  clusterName: cluster.cluster.name,
  region,
  vpcId: network.vpc.id,
  oidcProviderArn: cluster.oidcProvider.arn,
  oidcIssuer: cluster.oidcIssuer,
  apiDomain: settings.domains.api,
  zoneId: zone.zoneId,
  provider: cluster.provider,
  tags,
});
const storage = createStorage({
  namePrefix,
  incomingExpirationDays: settings.incomingExpirationDays,
  noncurrentVersionExpirationDays: settings.noncurrentVersionExpirationDays,
  tags,
});
const cdn = createCdn({
  namePrefix,
  assetsBucket: storage.assets.bucket,
  storageKey: storage.key,
  accountId,
  domainName: settings.domains.assets,
  zoneId: zone.zoneId,
  dependsOn: [storage.assets.publicAccessBlock],
  tags,
});
const workloads = createWorkloadRoles({
  namePrefix,
  oidcProviderArn: cluster.oidcProvider.arn,
  oidcIssuer: cluster.oidcIssuer,
  incomingBucketArn: storage.incoming.bucket.arn,
  assetsBucketArn: storage.assets.bucket.arn,
  kmsKeyArn: storage.key.arn,
  tags,
});
const registries = createRegistries({
  namePrefix,
  githubRepository: settings.githubRepository,
  ownsAccountResources: settings.ownsAccountResources,
  tags,
});
createMonitoring({ namePrefix, provider: cluster.provider });
createArgoCd({
  namePrefix,
  provider: cluster.provider,
  environment: stack,
  git: settings.git,
});

/** The operator's `s3` settings (operator.yaml in the overlay). */
export const operatorS3 = {
  region,
  incomingBucket: storage.incoming.bucket.bucket,
  assetsBucket: storage.assets.bucket.bucket,
  publicBaseUrl: cdn.url,
};
/** `eks.amazonaws.com/role-arn` annotations of the overlay's ServiceAccounts. */
export const serviceAccountRoleArns = {
  operator: workloads.roles.operator.arn,
  searchApi: workloads.roles.searchApi.arn,
  validation: workloads.roles.validation.arn,
  render: workloads.roles.render.arn,
};
export const artistUploadPolicyArn = workloads.artistUploadPolicy.arn;
export const imageRepositories = {
  shazam: registries.repositories.shazam.repositoryUrl,
  shazamRender: registries.repositories['shazam-render'].repositoryUrl,
};
export const ciRoleArn = registries.ciRole.arn;
/** The search API's public host: the overlay's Ingress host (pulumi/overlay-values.ts writes it). */
export const apiHost = settings.domains.api;
export const clusterName = cluster.cluster.name;
export const kubeconfig = cluster.kubeconfig;
