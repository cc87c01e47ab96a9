# syntax=docker/dockerfile:1.7
# The SHAZAM worker image: the operator, the validation Job, the search API and the `shazam` CLI.
#   docker build -f images/worker.Dockerfile -t shazam:dev .
# Runs as an unprivileged numeric user with a read-only root filesystem (restricted Pod Security profile);
# everything writable is /tmp, an emptyDir in the manifests.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Install scripts stay off, as in development: no package here needs one on Linux.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# Compile to dist/ (bin/shazam.js prefers it over tsx) and carry the files programs read at run time
# (CRD YAML, JSON schemas, policies) next to the compiled modules that locate them by import.meta.url.
RUN npx tsc -p tsconfig.json --noEmit false --outDir dist \
 && find bin cli crds controllers lib lint operator search-api validation render-job -type f \
      ! -name '*.ts' ! -path '*/node_modules/*' -exec cp --parents {} dist/ \; \
 && find dist -name '*.test.js' -delete \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="shazam" \
      org.opencontainers.image.description="SHAZAM operator, validation Job, search API and CLI" \
      org.opencontainers.image.source="https://github.com/shazam-dev/shazam"
ENV NODE_ENV=production \
    HOME=/tmp \
    TMPDIR=/tmp \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=build --chown=0:0 /src/package.json ./package.json
COPY --from=build --chown=0:0 /src/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/bin ./bin
COPY --from=build --chown=0:0 /src/dist ./dist
RUN ln -s /app/bin/shazam.js /usr/local/bin/shazam && chmod 0755 /app/bin/shazam.js
# 65532 is the conventional "nonroot" ID; the operator's Job templates run as the same user.
USER 65532:65532
ENTRYPOINT ["shazam"]
CMD ["help"]
