#!/usr/bin/env bash
# `npm run demo`: runs SHAZAM end to end on this machine (see docs/demo.md).
# Does its own setup on a fresh clone: installs npm dependencies when missing; the Kubernetes binaries are
# found or built by the test harness (Go needed the first time), the S3 server is moto (python3 -m moto.server).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ ! -d node_modules/tsx ]; then
  echo "[demo] installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
if ! python3 -c 'import moto.server' 2>/dev/null; then
  echo "[demo] the S3 server needs moto: pip install 'moto[server]' (or the Debian package python3-moto)" >&2
  exit 1
fi
exec node --import tsx demo/main.ts "$@"
