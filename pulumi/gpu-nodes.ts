import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  eksTaintEffect,
  GPU_DAEMONSET_PLACEMENT,
  GPU_NODE_LABELS,
  GPU_NODE_TAINTS,
} from './gpu-scheduling.ts';
import type { NodeGroupSettings } from './settings.ts';

/**
 * Values of the DCGM exporter chart's ServiceMonitor. `honorLabels` keeps the `namespace`/`pod`/`container`
 * labels the exporter puts on each GPU series (the render pod using the GPU) instead of renaming them
 * `exported_*` in favour of the exporter pod's own target labels, which the GPU dashboard's per-pod panel
 * would otherwise never match.
 */
export const DCGM_SERVICE_MONITOR = { enabled: true, interval: '15s', honorLabels: true } as const;

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
      labels: { ...GPU_NODE_LABELS },
      taints: GPU_NODE_TAINTS.map((taint) => ({ ...taint, effect: eksTaintEffect(taint.effect) })),
      tags: {
        ...args.tags,
        // Lets the cluster autoscaler scale the group up from zero for a pending render pod: it builds a
        // template node from these tags, so they carry every label and taint the node will have.
        ...Object.fromEntries(
          Object.entries(GPU_NODE_LABELS).map(([key, value]) => [
            `k8s.io/cluster-autoscaler/node-template/label/${key}`,
            value,
          ]),
        ),
        ...Object.fromEntries(
          GPU_NODE_TAINTS.map((taint) => [
            `k8s.io/cluster-autoscaler/node-template/taint/${taint.key}`,
            `${taint.value}:${taint.effect}`,
          ]),
        ),
      },
    },
    { parent: component, ignoreChanges: ['scalingConfig.desiredSize'] },
  );

  const onGpuNodes = GPU_DAEMONSET_PLACEMENT;
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
      values: { ...onGpuNodes, serviceMonitor: { ...DCGM_SERVICE_MONITOR } },
    },
    k8sOpts,
  );
  return { nodeGroup, devicePlugin, dcgmExporter };
}
