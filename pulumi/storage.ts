import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** Options of {@link createStorage}. */
export interface StorageArgs {
  /** Prefix of every name, e.g. `shazam-prod`; buckets are `<prefix>-incoming` and `<prefix>-assets`. */
  namePrefix: string;
  /** Days after which artist uploads under incoming/ expire. */
  incomingExpirationDays: number;
  /** Days after which noncurrent object versions expire in both buckets. */
  noncurrentVersionExpirationDays: number;
  tags: Record<string, string>;
}

/** One private, encrypted, versioned bucket and the resources that make it so. */
export interface PrivateBucket {
  bucket: aws.s3.Bucket;
  publicAccessBlock: aws.s3.BucketPublicAccessBlock;
}

/** The buckets of {@link createStorage} and the KMS key that encrypts them. */
export interface Storage {
  key: aws.kms.Key;
  incoming: PrivateBucket;
  assets: PrivateBucket;
}

function privateBucket(
  name: string,
  args: StorageArgs,
  key: aws.kms.Key,
  lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[],
  parent: pulumi.Resource,
): PrivateBucket {
  const opts = { parent };
  const bucket = new aws.s3.Bucket(name, { bucket: name, forceDestroy: false, tags: args.tags }, opts);
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    name,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  // ACLs disabled: access is decided by IAM and bucket policies only.
  new aws.s3.BucketOwnershipControls(
    name,
    { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
    opts,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    {
      bucket: bucket.id,
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.arn },
          // One data key per bucket instead of per object: fewer KMS calls for thousands of turntable frames.
          bucketKeyEnabled: true,
        },
      ],
    },
    opts,
  );
  new aws.s3.BucketVersioning(
    name,
    { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } },
    opts,
  );
  new aws.s3.BucketLifecycleConfiguration(name, { bucket: bucket.id, rules: lifecycleRules }, opts);
  return { bucket, publicAccessBlock };
}

/**
 * Creates the incoming and assets buckets: public access blocked, ACLs disabled, SSE-KMS with a dedicated
 * rotating key, versioning, and lifecycle rules (uploads expire; overwritten versions expire; aborted
 * multipart uploads are cleaned up).
 *
 * @example
 * ```ts
 * const storage = createStorage({ namePrefix: 'shazam-prod', incomingExpirationDays: 30, noncurrentVersionExpirationDays: 30, tags });
 * ```
 */
export function createStorage(args: StorageArgs, parent?: pulumi.Resource): Storage {
  const component = new pulumi.ComponentResource('shazam:platform:Storage', args.namePrefix, {}, { parent });
  const key = new aws.kms.Key(
    `${args.namePrefix}-s3`,
    {
      description: `${args.namePrefix} S3 objects`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: args.tags,
    },
    { parent: component },
  );
  new aws.kms.Alias(
    `${args.namePrefix}-s3`,
    { name: `alias/${args.namePrefix}-s3`, targetKeyId: key.keyId },
    { parent: component },
  );

  const abortUploads = {
    id: 'abort-incomplete-multipart-uploads',
    status: 'Enabled',
    filter: {},
    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
  };
  const noncurrent = {
    id: 'expire-noncurrent-versions',
    status: 'Enabled',
    filter: {},
    noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays },
  };
  const incoming = privateBucket(
    `${args.namePrefix}-incoming`,
    args,
    key,
    [
      {
        id: 'expire-incoming-uploads',
        status: 'Enabled',
        filter: { prefix: 'incoming/' },
        expiration: { days: args.incomingExpirationDays },
      },
      noncurrent,
      abortUploads,
    ],
    component,
  );
  // Assets never expire by age: retention in the operator decides which versions go.
  const assets = privateBucket(`${args.namePrefix}-assets`, args, key, [noncurrent, abortUploads], component);
  return { key, incoming, assets };
}
