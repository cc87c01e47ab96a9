import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { cdnReadPolicy } from './policies.ts';

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
  /** The bucket's public access block: the bucket policy is applied after it. */
  dependsOn: pulumi.Resource[];
  tags: Record<string, string>;
}

/** The distribution of {@link createCdn} and the URL published assets are served from. */
export interface Cdn {
  distribution: aws.cloudfront.Distribution;
  /** `https://<domain>`: the operator's `s3.publicBaseUrl`. */
  url: pulumi.Output<string>;
}

/**
 * Serves published assets (`assets/…`) through CloudFront with origin access control: the bucket stays
 * private, and only this distribution may read it, and only under assets/. The published.json pointers are
 * never cached so that a promotion shows at once; immutable version files are cached long.
 *
 * @example
 * ```ts
 * const cdn = createCdn({ namePrefix: 'shazam-prod', assetsBucket: storage.assets.bucket, dependsOn: [storage.assets.publicAccessBlock], tags });
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
  const originId = 'assets';
  const distribution = new aws.cloudfront.Distribution(
    `${args.namePrefix}-assets`,
    {
      enabled: true,
      comment: `${args.namePrefix} published 3D assets`,
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
      viewerCertificate: { cloudfrontDefaultCertificate: true, minimumProtocolVersion: 'TLSv1.2_2021' },
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
  return { distribution, url: pulumi.interpolate`https://${distribution.domainName}` };
}
