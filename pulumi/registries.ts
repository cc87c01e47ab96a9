import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** The images SHAZAM builds (images/*.Dockerfile). */
export const IMAGES = ['shazam', 'shazam-render'] as const;

/** Options of {@link createRegistries}. */
export interface RegistriesArgs {
  namePrefix: string;
  /** `owner/name` of the GitHub repository whose main branch may push. */
  githubRepository: string;
  tags: Record<string, string>;
}

/** What {@link createRegistries} made. */
export interface Registries {
  repositories: Record<(typeof IMAGES)[number], aws.ecr.Repository>;
  /** The role GitHub Actions assumes (OIDC, main branch only) to push images. */
  ciRole: aws.iam.Role;
}

/**
 * Creates an ECR repository per image (immutable tags: a commit's image never changes; scan on push;
 * untagged images expire) and a role that only the repository's main-branch workflows can assume, allowed
 * to push to these repositories and nothing else.
 *
 * @example
 * ```ts
 * const registries = createRegistries({ namePrefix: 'shazam-prod', githubRepository: 'shazam-dev/shazam', tags });
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

  const github = new aws.iam.OpenIdConnectProvider(
    `${args.namePrefix}-github`,
    {
      url: 'https://token.actions.githubusercontent.com',
      clientIdLists: ['sts.amazonaws.com'],
      tags: args.tags,
    },
    opts,
  );
  const ciRole = new aws.iam.Role(
    `${args.namePrefix}-ci`,
    {
      name: `${args.namePrefix}-ci`,
      assumeRolePolicy: github.arn.apply((providerArn) =>
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
              Action: [
                'ecr:BatchCheckLayerAvailability',
                'ecr:BatchGetImage',
                'ecr:CompleteLayerUpload',
                'ecr:InitiateLayerUpload',
                'ecr:PutImage',
                'ecr:UploadLayerPart',
              ],
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
