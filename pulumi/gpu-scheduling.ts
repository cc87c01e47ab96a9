/**
 * The one source of how GPU render nodes are marked and how pods reach them: the GPU node group's labels
 * and taints (pulumi/gpu-nodes.ts), the placement of the NVIDIA device plugin and DCGM exporter
 * DaemonSets, and the render pod's node selector and tolerations (the operator's `gpu` settings in each
 * overlay's operator.yaml, checked against this module by the tests). Pure data, no imports: anything in
 * the repository (a local overlay, the operator's defaults) may read it.
 */

/** A Kubernetes taint, spelt the way the Kubernetes API spells it. */
export interface NodeTaint {
  key: string;
  value: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** A Kubernetes toleration. */
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: NodeTaint['effect'];
}

/** One `matchExpressions` entry of a node selector term. */
export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** Where a pod may run: the scheduling fields of a pod spec that decide it. */
export interface PodPlacement {
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms: { matchExpressions?: NodeSelectorRequirement[] }[];
      };
    };
  };
}

/** The label render Jobs select (the operator's `gpu.nodeSelector`). */
export const GPU_NODE_SELECTOR = { 'shazam.dev/gpu': 'true' } as const;

/**
 * Every label the GPU node group carries. `nvidia.com/gpu.present` is the label NVIDIA's device plugin
 * chart (and GPU Feature Discovery) uses to mark GPU nodes: the chart's default node affinity accepts it,
 * and our DaemonSets require it, so the plugin never waits for Node Feature Discovery, which we do not run.
 */
export const GPU_NODE_LABELS = {
  ...GPU_NODE_SELECTOR,
  'shazam.dev/pool': 'gpu',
  'nvidia.com/gpu.present': 'true',
} as const;

/** The taint that keeps every pod but GPU workloads off GPU nodes. */
export const GPU_NODE_TAINTS: readonly NodeTaint[] = [
  { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
];

/** The toleration of the GPU taint that GPU workloads (render pods, device plugin, DCGM exporter) carry. */
export const GPU_TOLERATIONS: readonly Toleration[] = [
  { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
];

/** The render pod's placement: the operator's `gpu.nodeSelector` and `gpu.tolerations`. */
export const RENDER_POD_PLACEMENT: Required<Pick<PodPlacement, 'nodeSelector' | 'tolerations'>> = {
  nodeSelector: { ...GPU_NODE_SELECTOR },
  tolerations: [...GPU_TOLERATIONS],
};

/**
 * The placement of the GPU DaemonSets (device plugin, DCGM exporter) as Helm values. `affinity` is set
 * explicitly: a chart's default affinity is merged with our values, and the device plugin's default
 * requires labels from Node Feature Discovery.
 */
export const GPU_DAEMONSET_PLACEMENT: Required<PodPlacement> = {
  nodeSelector: { ...GPU_NODE_SELECTOR },
  tolerations: [...GPU_TOLERATIONS],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] },
        ],
      },
    },
  },
};

/** The EKS API's spelling of a taint effect (`NoSchedule` → `NO_SCHEDULE`). */
export function eksTaintEffect(
  effect: NodeTaint['effect'],
): 'NO_SCHEDULE' | 'PREFER_NO_SCHEDULE' | 'NO_EXECUTE' {
  return (
    { NoSchedule: 'NO_SCHEDULE', PreferNoSchedule: 'PREFER_NO_SCHEDULE', NoExecute: 'NO_EXECUTE' } as const
  )[effect];
}

function tolerates(toleration: Toleration, taint: NodeTaint): boolean {
  if (toleration.effect !== undefined && toleration.effect !== taint.effect) return false;
  if (toleration.key === undefined) return toleration.operator === 'Exists';
  if (toleration.key !== taint.key) return false;
  return toleration.operator === 'Exists' || (toleration.value ?? '') === taint.value;
}

function requirementHolds(requirement: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && (requirement.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(requirement.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
  }
}

/**
 * Whether the scheduler's node filters would place `pod` on a node with `labels` and `taints`: the node
 * selector, the required node affinity (terms ORed, expressions ANDed) and every NoSchedule/NoExecute
 * taint tolerated. Resources and ports are out of scope.
 */
export function podFitsNode(
  pod: PodPlacement,
  node: { labels: Record<string, string>; taints: readonly NodeTaint[] },
): boolean {
  const selected = Object.entries(pod.nodeSelector ?? {}).every(([key, value]) => node.labels[key] === value);
  const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const affine =
    terms === undefined ||
    terms.some((term) =>
      (term.matchExpressions ?? []).every((requirement) => requirementHolds(requirement, node.labels)),
    );
  const tolerated = node.taints
    .filter((taint) => taint.effect !== 'PreferNoSchedule')
    .every((taint) => (pod.tolerations ?? []).some((toleration) => tolerates(toleration, taint)));
  return selected && affine && tolerated;
}
