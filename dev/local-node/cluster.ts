import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { applyCrds } from '../local-cluster/apply-crds.ts';
import { type ControlPlane, startControlPlane } from '../local-cluster/control-plane.ts';
import { type LocalNode, startLocalNode } from './start-node.ts';

const run = promisify(execFile);
const crdDir = fileURLToPath(new URL('../../crds', import.meta.url));
/** The local overlay: images from `ctr import`, S3 and the apiserver on the node's bridge. */
export const LOCAL_OVERLAY_DIR = fileURLToPath(new URL('../../manifests/overlays/local', import.meta.url));
/** Ports on the bridge address that manifests/overlays/local dials: the apiserver and S3. */
export const FORWARDED_PORTS = { apiserver: 6443, s3: 9000 } as const;

/** A control plane of its own with a node, its pods reaching `s3Endpoint` through the bridge. */
export interface NodeCluster {
  controlPlane: ControlPlane;
  node: LocalNode;
  kubectl(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts etcd and kube-apiserver (ready for a kubelet: InternalIP addresses), applies the CRDs, and starts the
 * node of {@link startLocalNode} with forwards of the local overlay's ports to the apiserver and `s3Endpoint`.
 */
export async function startNodeCluster(s3Endpoint: string): Promise<NodeCluster> {
  const controlPlane = await startControlPlane({
    apiserverArgs: ['--kubelet-preferred-address-types=InternalIP'],
  });
  const kubectl = async (args: string[], input?: string) => {
    const child = run(controlPlane.binaries.kubectl, ['--kubeconfig', controlPlane.kubeconfigPath, ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
    if (input !== undefined) child.child.stdin?.end(input);
    return (await child).stdout;
  };
  try {
    await applyCrds(controlPlane.binaries.kubectl, controlPlane.kubeconfigPath, crdDir);
    const s3 = new URL(s3Endpoint);
    const node = await startLocalNode({
      controlPlane,
      forwards: [
        {
          port: FORWARDED_PORTS.apiserver,
          target: { host: '127.0.0.1', port: Number(new URL(controlPlane.server).port) },
        },
        { port: FORWARDED_PORTS.s3, target: { host: s3.hostname, port: Number(s3.port) } },
      ],
    });
    return {
      controlPlane,
      node,
      kubectl,
      stop: async () => {
        await node.stop();
        await controlPlane.stop();
      },
    };
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
}
