import { ensureNodeBinaries } from '../dev/local-node/binaries.ts';

const started = Date.now();
const binaries = await ensureNodeBinaries();
process.stderr.write(
  `[setup] kubelet, kube-controller-manager, kube-scheduler, containerd and runc from ${binaries.source} ` +
    `(${Math.round((Date.now() - started) / 1000)} s): ${binaries.dir}\n`,
);
