#!/usr/bin/env bash
# `npm run demo`: runs SHAZAM end to end on this machine (see docs/demo.md).
# Does its own setup on a fresh clone (scripts/setup.sh: Debian packages as root, npm ci, the Kubernetes
# binaries built once from their Go modules), then starts the embedded pipeline.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
exec node --import tsx demo/main.ts "$@"
