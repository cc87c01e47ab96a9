import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { NodeGroupSettings } from './settings.ts';

/** The label render Jobs select (the operator's `gpu.nodeSelector`). */
export const GPU_NODE_LABEL = { key: 'shazam.dev/gpu', value: 'true' } as const;
/** The taint that keeps every pod but render Jobs (which tolerate `nvidia.com/gpu`) off GPU nodes. */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' } as const;

/** Options of {@link createGpuNodes}. */
export interface GpuNodesArgs {
  clusterName: pulumi.Input<string>;
  namePrefix: string;
  nodeRoleArn: pulumi.Input<string>;
  subnetIds: pulumi.Input<string>[];
  nodes: NodeGroupSettings;
  provider: k8s.Provider;
  tags: Record<string, string>;
}

/** What {@link createGpuNodes} made. */
export interface GpuNodes {
  nodeGroup: aws.eks.NodeGroup;
  devicePlugin: k8s.helm.v3.Release;
  dcgmExporter: k8s.helm.v3.Release;
}

// Kubernetes spells the taint effect differently from the EKS API.
const podToleration = { key: GPU_TAINT.key, operator: 'Exists', effect: 'NoSchedule' };

/**
 * Creates the GPU node group for render Jobs: NVIDIA AMI (driver included), tainted so that only pods that
 * tolerate `nvidia.com/gpu` land there, labelled for the render Jobs' node selector, scaling from zero;
 * plus the NVIDIA device plugin (advertises `nvidia.com/gpu`) and the DCGM exporter (GPU metrics for the
 * GPU utilisation dashboard), both only on those nodes.
 *
 * @example
 * ```ts
 * createGpuNodes({ clusterName, namePrefix: 'shazam-prod', nodeRoleArn, subnetIds, nodes: settings.gpuNodes, provider, tags });
 * ```
 */
export function createGpuNodes(args: GpuNodesArgs, parent?: pulumi.Resource): GpuNodes {
  const component = new pulumi.ComponentResource('shazam:platform:GpuNodes', args.namePrefix, {}, { parent });
  const nodeGroup = new aws.eks.NodeGroup(
    `${args.namePrefix}-gpu`,
    {
      clusterName: args.clusterName,
      nodeGroupName: 'gpu',
      nodeRoleArn: args.nodeRoleArn,
      subnetIds: args.subnetIds,
      instanceTypes: args.nodes.instanceTypes,
      capacityType: args.nodes.capacityType ?? 'ON_DEMAND',
      amiType: 'AL2023_x86_64_NVIDIA',
      diskSize: 100,
      scalingConfig: {
        minSize: args.nodes.minSize,
        desiredSize: args.nodes.desiredSize,
        maxSize: args.nodes.maxSize,
      },
      labels: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value, 'shazam.dev/pool': 'gpu' },
      taints: [{ ...GPU_TAINT }],
      tags: {
        ...args.tags,
        // Lets the cluster autoscaler scale the group up from zero for a pending render pod.
        [`k8s.io/cluster-autoscaler/node-template/label/${GPU_NODE_LABEL.key}`]: GPU_NODE_LABEL.value,
        [`k8s.io/cluster-autoscaler/node-template/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:NoSchedule`,
      },
    },
    { parent: component, ignoreChanges: ['scalingConfig.desiredSize'] },
  );

  const onGpuNodes = {
    nodeSelector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
    tolerations: [podToleration],
  };
  const k8sOpts = { parent: component, provider: args.provider, dependsOn: [nodeGroup] };
  const devicePlugin = new k8s.helm.v3.Release(
    `${args.namePrefix}-nvidia-device-plugin`,
    {
      name: 'nvidia-device-plugin',
      chart: 'nvidia-device-plugin',
      version: '0.17.1',
      namespace: 'kube-system',
      repositoryOpts: { repo: 'https://nvidia.github.io/k8s-device-plugin' },
      values: { ...onGpuNodes, gfd: { enabled: false } },
    },
    k8sOpts,
  );
  const dcgmExporter = new k8s.helm.v3.Release(
    `${args.namePrefix}-dcgm-exporter`,
    {
      name: 'dcgm-exporter',
      chart: 'dcgm-exporter',
      version: '4.1.1',
      namespace: 'kube-system',
      repositoryOpts: { repo: 'https://nvidia.github.io/dcgm-exporter/helm-charts' },
      values: { ...onGpuNodes, serviceMonitor: { enabled: true, interval: '15s' } },
    },
    k8sOpts,
  );
  return { nodeGroup, devicePlugin, dcgmExporter };
}
