#!/usr/bin/env bash
# Builds helm (v4, from its Go module pinned in tools/helm/go.mod) once into the cache beside the Kubernetes
# binaries: ${SHAZAM_CACHE_DIR:-~/.cache/shazam}/helm/<version>/helm. Prints that path on stdout.
# HELM_BIN, when set to an executable, is used instead (e.g. a CI runner's helm v4).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${HELM_BIN:-}" ] && [ -x "$HELM_BIN" ]; then echo "$HELM_BIN"; exit 0; fi
version=$(awk '$1 == "require" && $2 == "helm.sh/helm/v4" { print $3 }' "$root/tools/helm/go.mod")
cache=${SHAZAM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shazam}
out="$cache/helm/$version"
if [ -x "$out/helm" ]; then echo "$out/helm"; exit 0; fi
export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null 2>&1; then
  echo "error: Go is needed to build helm $version (chart tests). Install Go 1.26 or newer from https://go.dev/dl/, or set HELM_BIN to a helm v4 binary." >&2
  exit 3
fi
mkdir -p "$out"
printf '[setup] building helm %s into %s (a few minutes the first time)\n' "$version" "$out" >&2
(cd "$root/tools/helm" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
  go build -trimpath -ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$version" -o "$out/helm.partial" helm.sh/helm/v4/cmd/helm)
mv "$out/helm.partial" "$out/helm"
echo "$out/helm"
