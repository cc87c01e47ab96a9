import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** The images CI pushes (.github/workflows/images.yaml, from scripts/build-images.sh); the manifests use them. */
export const IMAGES = ['shazam', 'shazam-render'] as const;

/** Options of {@link createRegistries}. */
export interface RegistriesArgs {
  namePrefix: string;
  /** `owner/name` of the GitHub repository whose main branch may push. */
  githubRepository: string;
  /**
   * Whether this stack creates the account-wide ECR repositories and GitHub's OIDC provider; otherwise it
   * looks up the ones another stack of the same account created.
   */
  ownsAccountResources: boolean;
  tags: Record<string, string>;
}

/** An ECR repository, created or looked up. */
export interface ImageRepository {
  arn: pulumi.Output<string>;
  repositoryUrl: pulumi.Output<string>;
}

/** What {@link createRegistries} made or found. */
export interface Registries {
  repositories: Record<(typeof IMAGES)[number], ImageRepository>;
  /** The role GitHub Actions assumes (OIDC, main branch only) to push images. */
  ciRole: aws.iam.Role;
}

/** GitHub Actions' OIDC issuer: one IAM provider per account, whatever the number of stacks. */
const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';

/**
 * The actions the CI role needs on the image repositories: pushing (images.yaml) and checking that a
 * commit's images exist before promoting it (promote.yaml's `aws ecr describe-images`).
 */
export const CI_REPOSITORY_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:DescribeImages',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
] as const;

/**
 * Creates (or, in a stack that does not own the account's shared resources, looks up) an ECR repository
 * per image (immutable tags: a commit's image never changes; scan on push; untagged images expire) and
 * GitHub's OIDC provider, and creates this stack's CI role (`<prefix>-ci`) that only the repository's
 * main-branch workflows can assume, allowed to push to these repositories and nothing else.
 *
 * @example
 * ```ts
 * const registries = createRegistries({ namePrefix: 'shazam-prod', githubRepository: 'shazam-dev/shazam', ownsAccountResources: true, tags });
 * ```
 */
export function createRegistries(args: RegistriesArgs, parent?: pulumi.Resource): Registries {
  const component = new pulumi.ComponentResource(
    'shazam:platform:Registries',
    args.namePrefix,
    {},
    { parent },
  );
  const opts = { parent: component };
  const repositories = {} as Registries['repositories'];
  for (const image of IMAGES) {
    if (!args.ownsAccountResources) {
      const found = aws.ecr.getRepositoryOutput({ name: image }, opts);
      repositories[image] = { arn: found.arn, repositoryUrl: found.repositoryUrl };
      continue;
    }
    const repository = new aws.ecr.Repository(
      `${args.namePrefix}-${image}`,
      {
        name: image,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: 'KMS' }],
        tags: args.tags,
      },
      opts,
    );
    new aws.ecr.LifecyclePolicy(
      `${args.namePrefix}-${image}`,
      {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: 'Expire untagged images after 14 days',
              selection: {
                tagStatus: 'untagged',
                countType: 'sinceImagePushed',
                countUnit: 'days',
                countNumber: 14,
              },
              action: { type: 'expire' },
            },
          ],
        }),
      },
      opts,
    );
    repositories[image] = repository;
  }

  const githubProviderArn = args.ownsAccountResources
    ? new aws.iam.OpenIdConnectProvider(
        `${args.namePrefix}-github`,
        { url: GITHUB_OIDC_URL, clientIdLists: ['sts.amazonaws.com'], tags: args.tags },
        opts,
      ).arn
    : aws.iam.getOpenIdConnectProviderOutput({ url: GITHUB_OIDC_URL }, opts).arn;
  const ciRole = new aws.iam.Role(
    `${args.namePrefix}-ci`,
    {
      name: `${args.namePrefix}-ci`,
      assumeRolePolicy: githubProviderArn.apply((providerArn) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: providerArn },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: {
                  'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                  'token.actions.githubusercontent.com:sub': `repo:${args.githubRepository}:ref:refs/heads/main`,
                },
              },
            },
          ],
        }),
      ),
      tags: args.tags,
    },
    opts,
  );
  new aws.iam.RolePolicy(
    `${args.namePrefix}-ci`,
    {
      role: ciRole.id,
      policy: pulumi.all(IMAGES.map((image) => repositories[image].arn)).apply((arns) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'Login', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
            {
              Sid: 'Push',
              Effect: 'Allow',
              Action: [...CI_REPOSITORY_ACTIONS],
              Resource: arns,
            },
          ],
        }),
      ),
    },
    opts,
  );
  return { repositories, ciRole };
}
