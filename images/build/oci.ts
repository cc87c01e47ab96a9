import { createHash } from 'node:crypto';

/** A compressed layer blob and the digest of its uncompressed tar. */
export interface LayerBlob {
  /** `sha256:<hex>` of the gzip blob. */
  digest: string;
  /** `sha256:<hex>` of the uncompressed tar (the config's diff_id). */
  diffId: string;
  /** Bytes of the gzip blob. */
  size: number;
  /** What made the layer, for the config's history. */
  createdBy: string;
}

/** The runtime settings and labels of an image config. */
export interface ImageConfigInput {
  created: string;
  user: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  labels: Record<string, string>;
}

/** One JSON document and its content address. */
export interface Blob {
  json: string;
  digest: string;
  size: number;
}

export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** `sha256:<hex>` of `data`. */
export function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function blob(value: unknown): Blob {
  const json = JSON.stringify(value);
  return { json, digest: sha256(json), size: Buffer.byteLength(json) };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The image config (OCI image spec, config.md) for `layers` in order. Deterministic: keys sorted, no clock.
 */
export function imageConfig(input: ImageConfigInput, layers: readonly LayerBlob[]): Blob {
  return blob({
    architecture: 'amd64',
    os: 'linux',
    created: input.created,
    config: {
      User: input.user,
      Env: Object.entries(input.env).map(([key, value]) => `${key}=${value}`),
      Entrypoint: input.entrypoint,
      Cmd: input.cmd,
      WorkingDir: input.workingDir,
      Labels: sortedRecord(input.labels),
    },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history: layers.map((layer) => ({ created: input.created, created_by: layer.createdBy })),
  });
}

/** The image manifest of `config` and `layers`, annotated with the image's labels. */
export function imageManifest(
  config: Blob,
  layers: readonly LayerBlob[],
  annotations: Record<string, string>,
): Blob {
  return blob({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: MEDIA_TYPES.config, digest: config.digest, size: config.size },
    layers: layers.map((layer) => ({ mediaType: MEDIA_TYPES.layer, digest: layer.digest, size: layer.size })),
    annotations: sortedRecord(annotations),
  });
}

/**
 * The layout's index.json naming `manifest` as `reference` (`repository:tag`): containerd's `ctr images
 * import` reads `io.containerd.image.name`, other tools `org.opencontainers.image.ref.name`.
 */
export function imageIndex(manifest: Blob, reference: string): Blob {
  const tag = reference.slice(reference.lastIndexOf(':') + 1);
  return blob({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: [
      {
        mediaType: MEDIA_TYPES.manifest,
        digest: manifest.digest,
        size: manifest.size,
        annotations: { 'io.containerd.image.name': reference, 'org.opencontainers.image.ref.name': tag },
      },
    ],
  });
}
