/**
 * Pure builders of the IAM policy documents SHAZAM's workloads get. Each workload reaches only the S3 key
 * prefixes of the storage layout it reads or writes (docs/architecture.md, "Storage layout").
 */

/** An IAM policy statement, as JSON. */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** An IAM policy document. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The resolved ARNs a policy refers to. */
export interface StorageArns {
  incomingBucketArn: string;
  assetsBucketArn: string;
  kmsKeyArn: string;
}

/** The workloads that get an IAM role, each trusted by exactly one Kubernetes ServiceAccount. */
export type Workload = 'operator' | 'validation' | 'render' | 'searchApi';

/** Where each workload's ServiceAccount lives (manifests/base). */
export const WORKLOAD_SERVICE_ACCOUNTS: Record<
  Workload,
  { namespace: string; name: string; roleSuffix: string }
> = {
  operator: { namespace: 'shazam-system', name: 'shazam-operator', roleSuffix: 'operator' },
  searchApi: { namespace: 'shazam-system', name: 'shazam-search-api', roleSuffix: 'search-api' },
  validation: { namespace: 'shazam-pipeline', name: 'shazam-validation', roleSuffix: 'validation' },
  render: { namespace: 'shazam-pipeline', name: 'shazam-render', roleSuffix: 'render' },
};

const READ = ['s3:GetObject'];
const WRITE = ['s3:PutObject'];
const DELETE = ['s3:DeleteObject'];

function objects(sid: string, actions: string[], bucketArn: string, patterns: string[]): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: actions,
    Resource: patterns.map((pattern) => `${bucketArn}/${pattern}`),
  };
}

function list(sid: string, bucketArn: string, prefixes: string[]): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: ['s3:ListBucket'],
    Resource: [bucketArn],
    Condition: { StringLike: { 's3:prefix': prefixes } },
  };
}

function kms(arns: StorageArns, write: boolean): PolicyStatement {
  return {
    Sid: 'UseStorageKey',
    Effect: 'Allow',
    Action: write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
    Resource: [arns.kmsKeyArn],
  };
}

/**
 * The S3 and KMS rights of one workload.
 *
 * - operator: reads validation results, completion markers and render manifests; writes only the
 *   `published.json` pointer; deletes superseded versions (retention) and results of removed submissions.
 * - validation: reads the delivery from incoming/; writes the version it ingests and its result.
 * - render: reads versions; writes only under `renders/` of a version.
 * - searchApi: reads assets (descriptors, and presigned URLs it hands out); writes nothing.
 */
export function workloadPolicy(workload: Workload, arns: StorageArns): PolicyDocument {
  const assets = arns.assetsBucketArn;
  const statements: Record<Workload, PolicyStatement[]> = {
    operator: [
      objects('ReadResults', READ, assets, [
        'assets/*/validation/*',
        'assets/*/versions/*',
        'assets/*/published.json',
      ]),
      objects('WritePublishedPointer', WRITE, assets, ['assets/*/published.json']),
      objects('RetainVersions', DELETE, assets, ['assets/*/versions/*', 'assets/*/validation/*']),
      list('ListAssets', assets, ['assets/*']),
      kms(arns, true),
    ],
    validation: [
      objects('ReadDelivery', READ, arns.incomingBucketArn, ['incoming/*']),
      objects('ReadIngested', READ, assets, ['assets/*/versions/*']),
      objects('Ingest', WRITE, assets, ['assets/*/versions/*', 'assets/*/validation/*']),
      list('ListVersions', assets, ['assets/*']),
      kms(arns, true),
    ],
    render: [
      objects('ReadVersion', READ, assets, ['assets/*/versions/*']),
      objects('WriteRenders', WRITE, assets, ['assets/*/versions/*/renders/*']),
      kms(arns, true),
    ],
    searchApi: [objects('ReadAssets', READ, assets, ['assets/*']), kms(arns, false)],
  };
  return { Version: '2012-10-17', Statement: statements[workload] };
}

/** Artists upload deliveries and nothing else: write-only under incoming/. */
export function artistUploadPolicy(arns: StorageArns): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      objects('UploadDeliveries', ['s3:PutObject', 's3:AbortMultipartUpload'], arns.incomingBucketArn, [
        'incoming/*',
      ]),
      kms(arns, true),
    ],
  };
}

/**
 * The trust policy of an IAM role for a service account: only tokens that the cluster's OIDC issuer
 * signed for exactly `system:serviceaccount:<namespace>:<name>`, with the STS audience, may assume it.
 */
export function serviceAccountTrustPolicy(
  oidcProviderArn: string,
  oidcIssuer: string,
  account: { namespace: string; name: string },
): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: oidcProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${oidcIssuer}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
            [`${oidcIssuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  };
}

/** Lets CloudFront (through origin access control) read published assets of one distribution only. */
export function cdnReadPolicy(assetsBucketArn: string, distributionArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CloudFrontReadsAssets',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `${assetsBucketArn}/assets/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
      },
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [assetsBucketArn, `${assetsBucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
}

/**
 * The key policy of the S3 objects' KMS key. The account statement keeps IAM in charge (the workload roles'
 * `UseStorageKey` grants work only because of it); CloudFront may decrypt, through origin access control,
 * for requests of one distribution only, so published SSE-KMS objects can be served and no other
 * distribution can use the key.
 */
export function storageKeyPolicy(accountId: string, distributionArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountManagesKeyThroughIam',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'CloudFrontDecryptsForThisDistribution',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
      },
    ],
  };
}
