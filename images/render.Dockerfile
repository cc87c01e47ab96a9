# syntax=docker/dockerfile:1.7
# The SHAZAM render image: `shazam render-job` with WebGPU (Dawn) on the NVIDIA Vulkan driver.
#   docker build -f images/render.Dockerfile -t shazam-render:dev .
# The NVIDIA container toolkit mounts the driver's user-space libraries (libGLX_nvidia.so.0, which holds
# the Vulkan implementation) when NVIDIA_DRIVER_CAPABILITIES includes `graphics`; the loader (libvulkan1)
# finds it through the ICD manifest written below. Without a GPU the renderer can fall back to Mesa's
# llvmpipe through OpenGL ES when the Job allows software rendering (--allow-software).

ARG NODE_IMAGE=node:20-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-base-ubuntu24.04

FROM ${NODE_IMAGE} AS node

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.json --noEmit false --outDir dist \
 && find bin cli crds lib render-job -type f ! -name '*.ts' ! -path '*/node_modules/*' -exec cp --parents {} dist/ \; \
 && find dist -name '*.test.js' -delete \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${CUDA_IMAGE}
LABEL org.opencontainers.image.title="shazam-render" \
      org.opencontainers.image.description="SHAZAM turntable renderer (WebGPU on NVIDIA Vulkan)" \
      org.opencontainers.image.source="https://github.com/shazam-dev/shazam"
# graphics: the toolkit mounts the Vulkan/EGL driver libraries, not only CUDA's.
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=graphics,compute,utility \
    NODE_ENV=production \
    HOME=/tmp \
    TMPDIR=/tmp \
    EGL_PLATFORM=surfaceless
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libvulkan1 vulkan-tools \
      libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The Vulkan ICD manifest for NVIDIA's driver (the same file the driver installer writes on a host).
RUN mkdir -p /etc/vulkan/icd.d /usr/share/glvnd/egl_vendor.d \
 && printf '%s\n' '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.277"}}' \
      > /etc/vulkan/icd.d/nvidia_icd.json \
 && printf '%s\n' '{"file_format_version":"1.0.0","ICD":{"library_path":"libEGL_nvidia.so.0"}}' \
      > /usr/share/glvnd/egl_vendor.d/10_nvidia.json
COPY --from=node /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=build --chown=0:0 /src/package.json ./package.json
COPY --from=build --chown=0:0 /src/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/bin ./bin
COPY --from=build --chown=0:0 /src/dist ./dist
RUN ln -s /app/bin/shazam.js /usr/local/bin/shazam && chmod 0755 /app/bin/shazam.js
USER 65532:65532
ENTRYPOINT ["shazam"]
CMD ["render-job", "--help"]
