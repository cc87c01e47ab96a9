#!/usr/bin/env bash
# Installs what SHAZAM's tests and demo need on a fresh clone, and does nothing that is already done:
# Debian packages (when run as root), npm packages, and the Kubernetes binaries (built once, then cached).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  openssl                       # the test harness's throwaway PKI
  libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri   # the renderer's software path (Dawn on OpenGL ES, llvmpipe)
  libegl-dev libgles-dev        # libEGL.so, libGLESv2.so: the unversioned names Dawn opens
  chromium                      # page tests and the render benchmark's peer
  lua5.1                        # Argo CD health scripts under the interpreter Argo CD embeds
  prometheus                    # promtool, for alert rule unit tests
  fonts-dejavu-core             # text in headless Chromium screenshots
  containernetworking-plugins   # the local node's pod network (bridge, host-local, loopback, portmap)
  gcc libc6-dev libseccomp-dev  # runc's seccomp support (cgo) for the local node
  iproute2 mmdebstrap           # the node's bridge; the images' Debian root filesystem
)

say() { printf '[setup] %s\n' "$*" >&2; }

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    # A browser named by CHROMIUM_PATH (e.g. a CI runner's Chrome) stands in for Debian's chromium.
    if [ "$pkg" = chromium ] && [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then continue; fi
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      say "installing Debian packages: ${missing[*]}"
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      say "missing Debian packages: ${missing[*]}"
      say "install them with: sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
  fi
fi

if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  say "the tests' S3 server is moto's server mode, and python3 cannot import moto.server here."
  say "install it with: python3 -m pip install 'moto[server]'"
  exit 1
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

export PATH="$PATH:/usr/local/go/bin"
npx --no-install tsx scripts/ensure-binaries.ts
# kubelet, controller-manager, scheduler, containerd, runc and the sandbox image (dev/local-node), built once
npx --no-install tsx scripts/ensure-node-binaries.ts
bash scripts/ensure-helm.sh >/dev/null   # helm v4 for the chart tests (charts/), built once like the Kubernetes binaries
