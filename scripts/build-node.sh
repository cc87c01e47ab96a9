#!/usr/bin/env bash
# Builds the test cluster's node binaries from their Go modules into one directory:
# kubelet, kube-controller-manager and kube-scheduler (tools/kube, the same k8s.io/kubernetes module as the
# apiserver), containerd, containerd-shim-runc-v2 and ctr (tools/containerd), and runc (tools/runc, with seccomp).
# and the sandbox image pause.oci.tar (tools/pause). CNI plugins come from Debian's containernetworking-plugins (/usr/lib/cni).
# Usage: scripts/build-node.sh <out-dir>
set -euo pipefail
out=${1:?usage: build-node.sh <out-dir>}
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null 2>&1; then
  echo "error: Go 1.26 or newer is needed to build the node binaries (https://go.dev/dl/)." >&2
  exit 3
fi
mkdir -p "$out"
tmp="$out.partial"
rm -rf "$tmp" && mkdir -p "$tmp"
export GOFLAGS=-buildvcs=false
step() { printf '[node-build] %s (%s)\n' "$1" "$(date +%H:%M:%S)" >&2; }
started=$(date +%s)
step "building runc (cgo, seccomp)"
(cd "$root/tools/runc" && go mod download && CGO_ENABLED=1 go build -trimpath -tags seccomp -ldflags='-s -w' -o "$tmp/runc" github.com/opencontainers/runc)
step "building containerd, containerd-shim-runc-v2 and ctr"
(cd "$root/tools/containerd" && go mod download)
for cmd in containerd containerd-shim-runc-v2 ctr; do
  (cd "$root/tools/containerd" && CGO_ENABLED=0 go build -trimpath -tags 'no_btrfs no_devmapper no_zfs' -ldflags='-s -w' -o "$tmp/$cmd" "github.com/containerd/containerd/v2/cmd/$cmd")
done
(cd "$root/tools/kube" && go mod download)
for cmd in kubelet kube-controller-manager kube-scheduler; do
  step "building $cmd"
  (cd "$root/tools/kube" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tmp/$cmd" "k8s.io/kubernetes/cmd/$cmd")
done
step "building the sandbox (pause) image"
(cd "$root/tools/pause" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tmp/pause" .)
bash "$root/tools/pause/pack-oci.sh" "$tmp/pause" shazam.local/pause:1 "$tmp/pause.oci.tar"
rm "$tmp/pause"
mv "$tmp"/* "$out"/ && rmdir "$tmp"
step "done in $(($(date +%s) - started)) s: $out"
