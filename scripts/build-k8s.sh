#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from their Go modules into a directory laid out like
# controller-runtime's setup-envtest assets (three binaries side by side).
# Usage: scripts/build-k8s.sh <out-dir>
set -euo pipefail
out=${1:?usage: build-k8s.sh <out-dir>}
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v go >/dev/null 2>&1; then
  echo "error: Go is needed to build kube-apiserver and etcd. Install Go 1.26 or newer from https://go.dev/dl/ (Debian's golang packages are too old for Kubernetes 1.36)," >&2
  echo "       or point KUBEBUILDER_ASSETS at a directory with kube-apiserver, etcd and kubectl (setup-envtest use)." >&2
  exit 3
fi
mkdir -p "$out"
tmp="$out.partial"
rm -rf "$tmp" && mkdir -p "$tmp"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
step() { printf '[k8s-build] %s (%s)\n' "$1" "$(date +%H:%M:%S)" >&2; }
step "downloading Go modules for etcd"
(cd "$root/tools/etcd" && go mod download)
step "building etcd (about 1-2 minutes on 2 cores)"
(cd "$root/tools/etcd" && go build -trimpath -ldflags='-s -w' -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
step "downloading Go modules for Kubernetes (a few hundred MB the first time)"
(cd "$root/tools/kube" && go mod download)
step "building kube-apiserver (the first build takes 5-15 minutes on 2 cores)"
(cd "$root/tools/kube" && go build -trimpath -ldflags='-s -w' -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
step "building kubectl (a few minutes more)"
(cd "$root/tools/kube" && go build -trimpath -ldflags='-s -w' -o "$tmp/kubectl" k8s.io/kubernetes/cmd/kubectl)
mv "$tmp"/* "$out"/ && rmdir "$tmp"
step "done: $out"
