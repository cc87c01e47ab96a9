/**
 * Loads the photo-search descriptors of published assets from S3 (`status.published.descriptorsUri`) into
 * the catalogue, a few at a time, whenever the served version of an ASIN changes.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { parseDescriptorSet } from '../lib/contracts/descriptors.ts';
import { DESCRIPTOR_DIMS, DESCRIPTOR_VERSION } from '../lib/image-descriptor/compute-descriptor.ts';
import type { KubeLogger } from '../lib/kube/logger.ts';
import { getJson } from '../lib/storage/object-store.ts';
import { parseS3Uri } from '../lib/storage/s3-uri.ts';
import type { Catalog, CatalogChange } from './catalog/catalog.ts';
import type { PublishedAsset } from './catalog/published-asset.ts';

/** Options of {@link startDescriptorLoader}. */
export interface DescriptorLoaderOptions {
  catalog: Catalog;
  s3: S3Client;
  log: KubeLogger;
  /** Downloads in flight at once. Default 8. */
  concurrency?: number;
  /** Attempts per document before giving up until the asset changes again. Default 3. */
  attempts?: number;
}

/** A running loader. */
export interface DescriptorLoader {
  /** Resolves when nothing is queued or loading (tests and the demo wait on it). */
  idle(): Promise<void>;
  stop(): void;
}

/** Thrown for a descriptors document the search API cannot use. */
export class DescriptorLoadError extends Error {
  override name = 'DescriptorLoadError';
  readonly code = 'SHAZAM_SEARCH_DESCRIPTORS_UNUSABLE';
}

async function fetchDescriptors(
  s3: S3Client,
  uri: string,
): Promise<Array<{ index: number; vector: number[] }>> {
  const set = parseDescriptorSet(await getJson(s3, parseS3Uri(uri)), uri);
  if (set.descriptorVersion !== DESCRIPTOR_VERSION || set.dims !== DESCRIPTOR_DIMS) {
    throw new DescriptorLoadError(
      `${uri} holds ${set.descriptorVersion} descriptors of ${set.dims} numbers, but this search API computes ` +
        `${DESCRIPTOR_VERSION} of ${DESCRIPTOR_DIMS}; re-render the asset or upgrade the search API`,
    );
  }
  return set.frames;
}

/**
 * Starts loading descriptors for every asset the catalogue serves now and for each change from now on.
 * A failed download is retried with a growing delay, then logged and left until the asset changes again.
 */
export function startDescriptorLoader(options: DescriptorLoaderOptions): DescriptorLoader {
  const { catalog, s3, log } = options;
  const concurrency = options.concurrency ?? 8;
  const attempts = options.attempts ?? 3;
  const queue: PublishedAsset[] = [];
  /** Queued or loading, by ASIN, version and URI: status updates of one version must not load it twice. */
  const pending = new Set<string>();
  const pendingKey = (asset: PublishedAsset): string =>
    `${asset.asin}@${asset.version}@${asset.descriptorsUri}`;
  let active = 0;
  let stopped = false;
  let waiters: Array<() => void> = [];

  const settle = (): void => {
    if (active === 0 && queue.length === 0) {
      for (const resolve of waiters) resolve();
      waiters = [];
    }
  };

  async function load(asset: PublishedAsset): Promise<void> {
    const uri = asset.descriptorsUri!;
    for (let attempt = 1; attempt <= attempts && !stopped; attempt++) {
      try {
        const frames = await fetchDescriptors(s3, uri);
        if (catalog.setDescriptors(asset, frames)) {
          log.debug(
            { asin: asset.asin, version: asset.version, frames: frames.length },
            'Indexed photo descriptors',
          );
        }
        return;
      } catch (error) {
        const permanent =
          error instanceof DescriptorLoadError ||
          (error instanceof Error && error.name === 'DescriptorSetError');
        if (permanent || attempt === attempts) {
          log.warn({ asin: asset.asin, uri, err: String(error) }, 'Skipped photo descriptors');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * 4 ** (attempt - 1)));
      }
    }
  }

  const pump = (): void => {
    while (!stopped && active < concurrency && queue.length > 0) {
      const asset = queue.shift()!;
      active++;
      void load(asset).finally(() => {
        pending.delete(pendingKey(asset));
        active--;
        pump();
        settle();
      });
    }
    settle();
  };

  const enqueue = (asset: PublishedAsset | undefined): void => {
    if (!asset?.descriptorsUri || catalog.hasDescriptors(asset.asin) || pending.has(pendingKey(asset)))
      return;
    pending.add(pendingKey(asset));
    queue.push(asset);
  };

  const unsubscribe = catalog.onChange((change: CatalogChange) => {
    enqueue(change.current);
    pump();
  });
  for (const asset of catalog.assets()) enqueue(asset);
  pump();

  return {
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      }),
    stop() {
      stopped = true;
      queue.length = 0;
      pending.clear();
      unsubscribe();
      settle();
    },
  };
}
