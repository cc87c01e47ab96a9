#!/usr/bin/env bash
# `npm run demo`: runs SHAZAM end to end on this machine (see docs/demo.md).
# Does its own setup on a fresh clone (scripts/setup.sh: Debian packages as root, npm ci, the Kubernetes
# binaries built once from their Go modules), then starts the embedded pipeline.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
# npm forwards SIGINT/SIGTERM only to its own child. package.json runs this script with `exec`, so that child is
# this process and then the demo itself; the demo also watches this script's parent and grandparent (npm and
# whoever started it) and stops everything when either is gone.
# --node: the same example on a real node (containerd, runc, kubelet), the operator and Jobs as pods.
for arg in "$@"; do
  if [ "$arg" = --node ]; then exec node --import tsx dev/local-node/demo.ts "$@"; fi
done
launchers="$PPID $(ps -o ppid= -p "$PPID" 2>/dev/null || true)"
SHAZAM_DEMO_LAUNCHERS=$launchers exec node --import tsx demo/main.ts "$@"
