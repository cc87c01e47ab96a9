#!/usr/bin/env bash
# Builds dist/render-bundle/: the turntable renderer as one ES module (render.mjs) plus the native and
# WebAssembly parts esbuild cannot inline (Dawn's dawn.node, sharp with libvips, the Draco decoder) and the
# Vulkan loader, for machines that have no npm. With --with-node the Node.js binary rides along
# (xz-compressed, unpacked by run.sh on first use) for machines without Node.js either.
#
#   render-job/scripts/bundle.sh [--with-node]
#   dist/render-bundle/run.sh render model.glb --out frames --backend vulkan
#   dist/render-bundle/run.sh render-job --source s3://… --out s3://…/renders/
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/dist/render-bundle"
with_node=false
for arg in "$@"; do
  case "$arg" in
    --with-node) with_node=true ;;
    *) echo "bundle.sh: unknown argument $arg (only --with-node)" >&2; exit 2 ;;
  esac
done

rm -rf "$out"
mkdir -p "$out/node_modules/@img" "$out/lib"

# Packages with native code or files located next to their own sources stay outside the bundle.
"$root/node_modules/.bin/esbuild" "$root/render-job/cli/bundle-main.ts" \
  --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --external:sharp --external:draco3dgltf \
  --banner:js="import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" \
  --legal-comments=external --log-level=warning \
  --outfile="$out/render.mjs"

copy_package() {
  mkdir -p "$out/node_modules/$(dirname "$1")"
  cp -R "$root/node_modules/$1" "$out/node_modules/$1"
}
copy_package sharp
copy_package detect-libc
copy_package semver
copy_package @img/colour
copy_package @img/sharp-linux-x64
copy_package @img/sharp-libvips-linux-x64
copy_package draco3dgltf
mkdir -p "$out/node_modules/webgpu/dist"
cp "$root/node_modules/webgpu/index.js" "$root/node_modules/webgpu/package.json" "$root/node_modules/webgpu/LICENSE.md" \
  "$out/node_modules/webgpu/"
cp -R "$root/node_modules/webgpu/dist/linux-x64" "$out/node_modules/webgpu/dist/"

# The Vulkan loader (Debian libvulkan1), used only when the machine has none of its own.
for loader in /usr/lib/x86_64-linux-gnu/libvulkan.so.1*; do
  [ -e "$loader" ] && cp -L "$loader" "$out/lib/"
done

if $with_node; then
  xz -T2 -6 -c "$(command -v node)" > "$out/node.xz"
fi

cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the bundled renderer: run.sh render <model.glb> --out <dir> [options] | run.sh render-job --source … --out …
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node_bin="$(command -v node || true)"
if [ -z "$node_bin" ]; then
  if [ ! -x "$here/node" ] && [ -f "$here/node.xz" ]; then xz -dc "$here/node.xz" > "$here/node" && chmod +x "$here/node"; fi
  node_bin="$here/node"
fi
# The system's Vulkan loader wins; the bundled one is the fallback.
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/lib/x86_64-linux-gnu:$here/lib"
exec "$node_bin" "$here/render.mjs" "$@"
RUN
chmod +x "$out/run.sh"
echo "bundle written to $out ($(du -sh "$out" | cut -f1))"
