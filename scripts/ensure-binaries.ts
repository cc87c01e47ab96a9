import { ensureBinaries } from '../dev/local-cluster/binaries.ts';

const binaries = await ensureBinaries();
process.stderr.write(`[setup] kube-apiserver, etcd and kubectl from ${binaries.source}: ${binaries.dir}\n`);
