import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { cdnReadPolicy, storageKeyPolicy } from './policies.ts';

/** AWS managed CloudFront policies (stable IDs documented by AWS). */
const MANAGED = {
  cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  corsS3Origin: '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf',
  corsWithPreflight: '5cc3b908-e619-4b99-88e5-2cf7f45965bd',
} as const;

/** Options of {@link createCdn}. */
export interface CdnArgs {
  namePrefix: string;
  assetsBucket: aws.s3.Bucket;
  /** The KMS key the assets are encrypted with; its key policy lets this distribution decrypt. */
  storageKey: aws.kms.Key;
  /** The AWS account of the stack (the key policy's administering principal). */
  accountId: pulumi.Input<string>;
  /** The name assets are served under, e.g. `assets.shazam.dev`. */
  domainName: string;
  /** The public Route 53 zone holding `domainName` (certificate validation and the alias records). */
  zoneId: pulumi.Input<string>;
  /** The bucket's public access block: the bucket policy is applied after it. */
  dependsOn: pulumi.Resource[];
  tags: Record<string, string>;
}

/** The distribution of {@link createCdn} and the URL published assets are served from. */
export interface Cdn {
  distribution: aws.cloudfront.Distribution;
  /** `https://<domainName>`: the operator's `s3.publicBaseUrl`. */
  url: string;
  /** The certificate of `domainName` (us-east-1, where CloudFront reads certificates). */
  certificate: aws.acm.Certificate;
}

/**
 * Serves published assets (`assets/…`) through CloudFront with origin access control under the stack's
 * assets domain (an ACM certificate validated by DNS, alias records in the zone): the bucket stays
 * private, only this distribution may read it, only under assets/, and the storage key's policy lets only
 * this distribution decrypt. The published.json pointers are never cached so that a promotion shows at
 * once; immutable version files are cached long.
 *
 * @example
 * ```ts
 * const cdn = createCdn({ namePrefix: 'shazam-prod', assetsBucket, storageKey, accountId, domainName: 'assets.shazam.dev', zoneId, dependsOn: [publicAccessBlock], tags });
 * ```
 */
export function createCdn(args: CdnArgs, parent?: pulumi.Resource): Cdn {
  const component = new pulumi.ComponentResource('shazam:platform:Cdn', args.namePrefix, {}, { parent });
  const opts = { parent: component };
  const accessControl = new aws.cloudfront.OriginAccessControl(
    `${args.namePrefix}-assets`,
    {
      name: `${args.namePrefix}-assets`,
      description: 'CloudFront signs every request to the private assets bucket',
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    },
    opts,
  );
  // CloudFront only uses certificates from us-east-1, whatever the stack's region.
  const usEast1 = new aws.Provider(`${args.namePrefix}-us-east-1`, { region: 'us-east-1' }, opts);
  const certificate = new aws.acm.Certificate(
    `${args.namePrefix}-assets`,
    { domainName: args.domainName, validationMethod: 'DNS', tags: args.tags },
    { ...opts, provider: usEast1 },
  );
  const validationRecord = new aws.route53.Record(
    `${args.namePrefix}-assets-validation`,
    {
      zoneId: args.zoneId,
      name: certificate.domainValidationOptions.apply((options) => options[0]?.resourceRecordName ?? ''),
      type: certificate.domainValidationOptions.apply((options) => options[0]?.resourceRecordType ?? 'CNAME'),
      records: [
        certificate.domainValidationOptions.apply((options) => options[0]?.resourceRecordValue ?? ''),
      ],
      ttl: 300,
      allowOverwrite: true,
    },
    opts,
  );
  const validation = new aws.acm.CertificateValidation(
    `${args.namePrefix}-assets`,
    { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
    { ...opts, provider: usEast1 },
  );
  const originId = 'assets';
  const distribution = new aws.cloudfront.Distribution(
    `${args.namePrefix}-assets`,
    {
      enabled: true,
      comment: `${args.namePrefix} published 3D assets`,
      aliases: [args.domainName],
      isIpv6Enabled: true,
      httpVersion: 'http2and3',
      priceClass: 'PriceClass_100',
      origins: [
        {
          originId,
          domainName: args.assetsBucket.bucketRegionalDomainName,
          originAccessControlId: accessControl.id,
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: 'redirect-to-https',
        allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
        cachedMethods: ['GET', 'HEAD'],
        compress: true,
        cachePolicyId: MANAGED.cachingOptimized,
        originRequestPolicyId: MANAGED.corsS3Origin,
        // The storefront's <model-viewer> fetches GLBs cross-origin.
        responseHeadersPolicyId: MANAGED.corsWithPreflight,
      },
      orderedCacheBehaviors: [
        {
          pathPattern: 'assets/*/published.json',
          targetOriginId: originId,
          viewerProtocolPolicy: 'redirect-to-https',
          allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
          cachedMethods: ['GET', 'HEAD'],
          cachePolicyId: MANAGED.cachingDisabled,
          originRequestPolicyId: MANAGED.corsS3Origin,
          responseHeadersPolicyId: MANAGED.corsWithPreflight,
        },
      ],
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: {
        acmCertificateArn: validation.certificateArn,
        sslSupportMethod: 'sni-only',
        minimumProtocolVersion: 'TLSv1.2_2021',
      },
      tags: args.tags,
    },
    opts,
  );
  new aws.s3.BucketPolicy(
    `${args.namePrefix}-assets-cdn`,
    {
      bucket: args.assetsBucket.id,
      policy: pulumi
        .all([args.assetsBucket.arn, distribution.arn])
        .apply(([bucketArn, distributionArn]) => JSON.stringify(cdnReadPolicy(bucketArn, distributionArn))),
    },
    { ...opts, dependsOn: args.dependsOn },
  );
  new aws.kms.KeyPolicy(
    `${args.namePrefix}-s3`,
    {
      keyId: args.storageKey.id,
      policy: pulumi
        .all([args.accountId, distribution.arn])
        .apply(([accountId, distributionArn]) =>
          JSON.stringify(storageKeyPolicy(accountId, distributionArn)),
        ),
    },
    opts,
  );
  for (const type of ['A', 'AAAA']) {
    new aws.route53.Record(
      `${args.namePrefix}-assets-${type.toLowerCase()}`,
      {
        zoneId: args.zoneId,
        name: args.domainName,
        type,
        aliases: [
          { name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false },
        ],
      },
      opts,
    );
  }
  return { distribution, certificate, url: `https://${args.domainName}` };
}
