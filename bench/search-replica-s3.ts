/**
 * The S3 part of a replica's start-up, measured on a sample: `count` descriptors.json documents put into a
 * local S3 server (moto, as the test harness starts it), then loaded by the search API's own descriptor
 * loader (8 GETs in flight, parse, index) into a catalogue that lists them, timed until the loader is idle.
 * The sample is small because moto keeps every object in one Python process; the per-asset time it gives
 * is what `search-replica.ts` multiplies by the catalogue size.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DESCRIPTOR_DIMS } from '../lib/image-descriptor/compute-descriptor.ts';
import { silentLogger } from '../lib/kube/logger.ts';
import { putObject } from '../lib/storage/object-store.ts';
import { createS3Client } from '../lib/storage/s3-client.ts';
import { parseS3Uri } from '../lib/storage/s3-uri.ts';
import { Catalog } from '../search-api/catalog/catalog.ts';
import { startDescriptorLoader } from '../search-api/descriptor-loader.ts';
import { startS3Server } from '../test/harness/index.ts';
import { descriptorDocument, REPLICA_BUCKET, replicaAsset } from './replica-catalogue.ts';
import { forEachSyntheticProduct } from './synthetic-photos.ts';

/** What the sample measured. */
export interface S3LoadSample {
  count: number;
  concurrency: number;
  /** Wall time of the loader from start to idle, and per asset. */
  seconds: number;
  msPerAsset: number;
  indexed: number;
}

/** Puts `count` documents into a fresh local S3 server and times the descriptor loader over them. */
export async function measureS3Load(count: number, frames: number, concurrency = 8): Promise<S3LoadSample> {
  const server = await startS3Server();
  try {
    const s3 = createS3Client(server.connection);
    await s3.send(new CreateBucketCommand({ Bucket: REPLICA_BUCKET }));
    const bodies: Array<{ uri: string; body: string }> = [];
    forEachSyntheticProduct(count, { dims: DESCRIPTOR_DIMS, frames }, (i, productFrames) => {
      bodies.push({
        uri: replicaAsset(i, frames).descriptorsUri!,
        body: JSON.stringify(descriptorDocument(productFrames)),
      });
    });
    for (let i = 0; i < bodies.length; i += concurrency) {
      await Promise.all(
        bodies
          .slice(i, i + concurrency)
          .map(({ uri, body }) => putObject(s3, parseS3Uri(uri), body, { contentType: 'application/json' })),
      );
    }
    const catalog = new Catalog(DESCRIPTOR_DIMS);
    for (let i = 0; i < count; i++) catalog.apply(`shop/s${i}`, replicaAsset(i, frames));
    catalog.prepare();
    const started = performance.now();
    const loader = startDescriptorLoader({ catalog, s3, log: silentLogger, concurrency });
    await loader.idle();
    const seconds = (performance.now() - started) / 1000;
    loader.stop();
    s3.destroy();
    return {
      count,
      concurrency,
      seconds,
      msPerAsset: (seconds * 1000) / count,
      indexed: catalog.imageStats.assets,
    };
  } finally {
    await server.stop();
  }
}
