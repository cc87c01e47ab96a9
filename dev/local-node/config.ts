/** Pure builders of the local node's configuration files (containerd, CNI, kubelet, kubeconfig). */

/** The pod network: one Linux bridge, one /24, the host as gateway. */
export const POD_NETWORK = {
  bridge: 'shazam0',
  subnet: '10.213.0.0/24',
  gateway: '10.213.0.1',
  prefixLength: 24,
} as const;

export interface ContainerdConfigInput {
  root: string;
  state: string;
  address: string;
  runc: string;
  cniBinDir: string;
  cniConfDir: string;
  sandboxImage: string;
}

const toml = (value: string) => JSON.stringify(value);

/**
 * containerd 2.x (config version 3): CRI with runc on cgroupfs, Debian's CNI plugins, the locally built
 * sandbox image, and `restrict_oom_score_adj` (these VMs lack CAP_SYS_RESOURCE, so the negative
 * oom_score_adj the kubelet asks for would be refused).
 */
export function containerdConfig(input: ContainerdConfigInput): string {
  return [
    'version = 3',
    `root = ${toml(input.root)}`,
    `state = ${toml(input.state)}`,
    '',
    '[grpc]',
    `  address = ${toml(input.address)}`,
    '',
    "[plugins.'io.containerd.cri.v1.images']",
    "  snapshotter = 'overlayfs'",
    "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
    `  sandbox = ${toml(input.sandboxImage)}`,
    '',
    "[plugins.'io.containerd.cri.v1.runtime']",
    '  restrict_oom_score_adj = true',
    "[plugins.'io.containerd.cri.v1.runtime'.containerd]",
    "  default_runtime_name = 'runc'",
    "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]",
    "  runtime_type = 'io.containerd.runc.v2'",
    "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
    `  BinaryName = ${toml(input.runc)}`,
    '  SystemdCgroup = false',
    "[plugins.'io.containerd.cri.v1.runtime'.cni]",
    `  bin_dirs = [${toml(input.cniBinDir)}]`,
    `  conf_dir = ${toml(input.cniConfDir)}`,
    '',
  ].join('\n');
}

/** A bridge + host-local + portmap chain, with loopback added by the runtime. */
export function cniConfig(ipamDataDir: string): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'shazam-pods',
      plugins: [
        {
          type: 'bridge',
          bridge: POD_NETWORK.bridge,
          isGateway: true,
          ipMasq: false,
          ipam: {
            type: 'host-local',
            dataDir: ipamDataDir,
            ranges: [[{ subnet: POD_NETWORK.subnet, gateway: POD_NETWORK.gateway }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

export interface KubeletConfigInput {
  runtimeEndpoint: string;
  port: number;
  healthzPort: number;
}

/**
 * KubeletConfiguration for these hosts: cgroup v1 accepted, cgroupfs, no node-allocatable enforcement and
 * no local-storage isolation (the eviction manager cannot read the disk's filesystem info here), eviction
 * thresholds it never reaches, anonymous read access (the node is only reachable from this host).
 */
export function kubeletConfig(input: KubeletConfigInput): string {
  return JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      enforceNodeAllocatable: [],
      localStorageCapacityIsolation: false,
      failSwapOn: false,
      evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '0%', 'imagefs.available': '0%' },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      containerRuntimeEndpoint: input.runtimeEndpoint,
      address: '0.0.0.0',
      port: input.port,
      healthzBindAddress: '127.0.0.1',
      healthzPort: input.healthzPort,
      readOnlyPort: 0,
      authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
      authorization: { mode: 'AlwaysAllow' },
      resolvConf: '/etc/resolv.conf',
      serializeImagePulls: false,
      nodeStatusUpdateFrequency: '5s',
      syncFrequency: '5s',
      fileCheckFrequency: '5s',
    },
    null,
    2,
  );
}
