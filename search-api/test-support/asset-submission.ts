/** Fluent builders of AssetSubmissions and their published status, for the search API's tests. */
import { API_VERSION, ASSET_SUBMISSION } from '../../crds/api.ts';
import { versionKeys } from '../../lib/storage/layout.ts';
import {
  type AssetSubmissionLike,
  type ProductFields,
  type PublishedAsset,
  publishedAssetOf,
} from '../catalog/published-asset.ts';

/** The object a test creates, and the status it then writes. */
export interface BuiltSubmission {
  object: AssetSubmissionLike & {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string };
  };
  status: NonNullable<AssetSubmissionLike['status']>;
}

/** Builds an AssetSubmission; `.published(n)` adds the status the operator writes when revision n is live. */
export class AssetSubmissionBuilder {
  private productFields: ProductFields = {
    title: 'Oak chair',
    brand: 'Nordic',
    tags: ['chair'],
    description: '',
  };
  private revision = 1;
  private phase = 'Pending';
  private publishedStatus: Record<string, unknown> | undefined;

  constructor(
    private readonly name: string,
    private readonly namespace: string,
    private readonly asin: string,
  ) {}

  /** Sets product fields. */
  withProduct(fields: Partial<ProductFields>): this {
    this.productFields = { ...this.productFields, ...fields };
    return this;
  }

  /** Sets spec.revision. */
  withRevision(revision: number): this {
    this.revision = revision;
    return this;
  }

  /** Marks `version` published from `bucket`, with its descriptors (when given) and 36 frames. */
  published(version: number, bucket: string, options: { descriptors?: boolean; phase?: string } = {}): this {
    const keys = versionKeys(this.asin, version);
    this.revision = Math.max(this.revision, version);
    this.phase = options.phase ?? 'Published';
    this.publishedStatus = {
      version,
      bucket,
      prefix: keys.prefix,
      glbUrl: `s3://${bucket}/${keys.model}`,
      webGlbUrl: `s3://${bucket}/${keys.webModel}`,
      posterUrl: `s3://${bucket}/${keys.poster}`,
      spin: { frameCount: 36, urlTemplate: `s3://${bucket}/${keys.framesPrefix}{frame}.webp` },
      ...(options.descriptors === false ? {} : { descriptorsUri: `s3://${bucket}/${keys.descriptors}` }),
      publishedAt: new Date(Date.UTC(2026, 0, 1, 0, version)).toISOString(),
    };
    return this;
  }

  /** The object and its status. */
  build(): BuiltSubmission {
    return {
      object: {
        apiVersion: API_VERSION,
        kind: ASSET_SUBMISSION.kind,
        metadata: { name: this.name, namespace: this.namespace },
        spec: {
          asin: this.asin,
          revision: this.revision,
          artist: 'artist@example.com',
          product: this.productFields,
          delivery: {
            uri: `s3://incoming-bucket/incoming/${this.asin}/r${this.revision}.zip`,
            sha256: 'a'.repeat(64),
          },
          stages: ['cleanup', 'uv', 'texturing'],
        } as AssetSubmissionLike['spec'],
      },
      status: { phase: this.phase, ...(this.publishedStatus ? { published: this.publishedStatus } : {}) },
    };
  }
}

/** Starts a builder. */
export function assetSubmission(name: string, namespace: string, asin: string): AssetSubmissionBuilder {
  return new AssetSubmissionBuilder(name, namespace, asin);
}

/** The catalogue's view of a built submission (its published asset); throws with the reason when it has none. */
export function publishedAssetFrom(built: BuiltSubmission): PublishedAsset {
  const asset = publishedAssetOf({ ...built.object, status: built.status });
  if (!('asin' in asset)) throw new Error(asset.detail);
  return asset;
}
