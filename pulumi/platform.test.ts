import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { KUBERNETES_VERSION } from '../dev/local-cluster/binaries.ts';
import {
  GPU_NODE_LABELS,
  type NodeTaint,
  type PodPlacement,
  podFitsNode,
  RENDER_POD_PLACEMENT,
  type Toleration,
} from './gpu-scheduling.ts';
import { applyOverlayOutputs, OVERLAY_FILES, readOverlay } from './overlay-values.ts';
import { WORKLOAD_SERVICE_ACCOUNTS, type Workload } from './policies.ts';
import { parseStackSettings, StackSettingsError } from './settings.ts';
import {
  accountUniqueNames,
  generatedPlatformApplications,
  helmMerge,
  installMocks,
  MOCK_OIDC_ISSUER,
  type MockedResource,
  policyAllows,
  resolve,
  resolvedOutputs,
  resourcePolicyAllows,
  scrapedLabels,
  settled,
} from './test-support.ts';

const file = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const stackConfig = (stack: string) =>
  (parse(file(`Pulumi.${stack}.yaml`)) as { config: Record<string, unknown> }).config;

const prod = stackConfig('prod');
const resources: MockedResource[] = installMocks('prod', {
  'aws:region': String(prod['aws:region']),
  'shazam:settings': JSON.stringify(prod['shazam:settings']),
});

let program: Record<string, unknown>;
beforeAll(async () => {
  program = await import('./index.ts');
  await resolve((program as { ciRoleArn: import('@pulumi/pulumi').Output<string> }).ciRoleArn);
  await settled(resources);
}, 60_000);

const ofType = (type: string) => resources.filter((resource) => resource.type === type);
const forBucket = (type: string, bucket: MockedResource) =>
  ofType(type).filter((resource) => resource.inputs.bucket === bucket.id);
const json = (value: unknown) =>
  JSON.parse(String(value)) as Record<string, unknown> & { Statement: never[] };

describe('S3 buckets', () => {
  const buckets = () => ofType('aws:s3/bucket:Bucket');

  it('makes the incoming and the assets bucket', () => {
    expect(
      buckets()
        .map((bucket) => bucket.inputs.bucket)
        .sort(),
    ).toEqual(['shazam-prod-assets', 'shazam-prod-incoming']);
  });

  it('blocks every form of public access on each bucket, with ACLs disabled', () => {
    expect(ofType('aws:s3/bucketAcl:BucketAcl')).toEqual([]);
    for (const bucket of buckets()) {
      const [block] = forBucket('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', bucket);
      expect(block?.inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      const [ownership] = forBucket('aws:s3/bucketOwnershipControls:BucketOwnershipControls', bucket);
      expect(ownership?.inputs.rule).toEqual({ objectOwnership: 'BucketOwnerEnforced' });
    }
  });

  it('lets no anonymous principal read anything: only CloudFront, and only for this distribution', () => {
    const distributionArn = ofType('aws:cloudfront/distribution:Distribution')[0]?.state.arn;
    const policies = ofType('aws:s3/bucketPolicy:BucketPolicy');
    expect(policies).toHaveLength(1);
    for (const policy of policies) {
      for (const statement of json(policy.inputs.policy).Statement as {
        Effect: string;
        Principal: unknown;
        Condition: unknown;
        Resource: unknown;
      }[]) {
        if (statement.Effect === 'Deny') continue;
        expect(statement.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
        expect(statement.Condition).toEqual({ StringEquals: { 'AWS:SourceArn': distributionArn } });
        expect(statement.Resource).toBe('arn:aws:s3:::shazam-prod-assets/assets/*');
      }
    }
    const [accessControl] = ofType('aws:cloudfront/originAccessControl:OriginAccessControl');
    expect(accessControl?.inputs).toMatchObject({ signingBehavior: 'always', signingProtocol: 'sigv4' });
  });

  it('encrypts each bucket with the stack’s rotating KMS key and keeps versions', () => {
    const [key] = ofType('aws:kms/key:Key').filter((resource) => resource.name === 'shazam-prod-s3');
    expect(key?.inputs.enableKeyRotation).toBe(true);
    for (const bucket of buckets()) {
      const [encryption] = forBucket(
        'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
        bucket,
      );
      expect(encryption?.inputs.rules).toEqual([
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key?.state.arn },
          bucketKeyEnabled: true,
        },
      ]);
      const [versioning] = forBucket('aws:s3/bucketVersioning:BucketVersioning', bucket);
      expect(versioning?.inputs.versioningConfiguration).toEqual({ status: 'Enabled' });
    }
  });

  it('expires old uploads under incoming/ and noncurrent versions everywhere, never current assets', () => {
    const settings = prod['shazam:settings'] as {
      incomingExpirationDays: number;
      noncurrentVersionExpirationDays: number;
    };
    const rules = (bucket: string) =>
      forBucket(
        'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
        buckets().find((b) => b.inputs.bucket === bucket) as MockedResource,
      )[0]?.inputs.rules as {
        filter?: { prefix?: string };
        expiration?: { days: number };
        noncurrentVersionExpiration?: { noncurrentDays: number };
      }[];
    const incoming = rules('shazam-prod-incoming');
    expect(incoming).toContainEqual(
      expect.objectContaining({
        filter: { prefix: 'incoming/' },
        expiration: { days: settings.incomingExpirationDays },
      }),
    );
    for (const bucket of ['shazam-prod-incoming', 'shazam-prod-assets']) {
      expect(rules(bucket)).toContainEqual(
        expect.objectContaining({
          noncurrentVersionExpiration: { noncurrentDays: settings.noncurrentVersionExpirationDays },
        }),
      );
    }
    expect(rules('shazam-prod-assets').some((rule) => rule.expiration !== undefined)).toBe(false);
  });
});

describe('IAM roles for service accounts', () => {
  const roleNamed = (name: string) => ofType('aws:iam/role:Role').find((role) => role.inputs.name === name);

  it.each(Object.entries(WORKLOAD_SERVICE_ACCOUNTS))(
    '%s: only its ServiceAccount, through the cluster’s OIDC provider, may assume the role',
    (_workload, account) => {
      const role = roleNamed(`shazam-prod-${account.roleSuffix}`);
      const trust = json(role?.inputs.assumeRolePolicy);
      expect(trust.Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::111122223333:oidc-provider/${MOCK_OIDC_ISSUER}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${MOCK_OIDC_ISSUER}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
              [`${MOCK_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
            },
          },
        },
      ]);
    },
  );

  it('names the roles the prod overlay annotates its ServiceAccounts with', () => {
    const annotations = parseAllDocuments(file('../manifests/overlays/prod/irsa.yaml')).map((document) => {
      const account = document.toJS() as {
        metadata: { name: string; namespace: string; annotations: Record<string, string> };
      };
      return { ...account.metadata, arn: account.metadata.annotations['eks.amazonaws.com/role-arn'] };
    });
    for (const account of Object.values(WORKLOAD_SERVICE_ACCOUNTS)) {
      const annotated = annotations.find((a) => a.name === account.name && a.namespace === account.namespace);
      expect(annotated?.arn).toBe(roleNamed(`shazam-prod-${account.roleSuffix}`)?.state.arn);
    }
  });

  const policyOf = (workload: Workload) => {
    const role = roleNamed(`shazam-prod-${WORKLOAD_SERVICE_ACCOUNTS[workload].roleSuffix}`);
    const inline = ofType('aws:iam/rolePolicy:RolePolicy').find((policy) => policy.inputs.role === role?.id);
    return json(inline?.inputs.policy);
  };
  const incoming = (key: string) => `arn:aws:s3:::shazam-prod-incoming/${key}`;
  const assets = (key: string) => `arn:aws:s3:::shazam-prod-assets/${key}`;
  const version = 'assets/B0WATERBTL/versions/3';

  it.each([
    // [workload, action, object, allowed]
    ['validation', 's3:GetObject', incoming('incoming/B0WATERBTL/r3.zip'), true],
    ['validation', 's3:PutObject', assets(`${version}/model.glb`), true],
    ['validation', 's3:PutObject', assets('assets/B0WATERBTL/validation/r3-0123456789abcdef.json'), true],
    ['validation', 's3:PutObject', assets('assets/B0WATERBTL/published.json'), false],
    ['validation', 's3:PutObject', incoming('incoming/B0WATERBTL/r3.zip'), false],
    ['validation', 's3:DeleteObject', assets(`${version}/model.glb`), false],
    ['render', 's3:GetObject', assets(`${version}/model.glb`), true],
    ['render', 's3:PutObject', assets(`${version}/renders/360/000.webp`), true],
    ['render', 's3:PutObject', assets(`${version}/model.glb`), false],
    ['render', 's3:PutObject', assets('assets/B0WATERBTL/published.json'), false],
    ['render', 's3:GetObject', incoming('incoming/B0WATERBTL/r3.zip'), false],
    ['operator', 's3:PutObject', assets('assets/B0WATERBTL/published.json'), true],
    ['operator', 's3:GetObject', assets('assets/B0WATERBTL/validation/r3-0123456789abcdef.json'), true],
    ['operator', 's3:DeleteObject', assets('assets/B0WATERBTL/versions/1/model.glb'), true],
    ['operator', 's3:PutObject', assets(`${version}/model.glb`), false],
    ['operator', 's3:DeleteObject', assets('assets/B0WATERBTL/published.json'), false],
    ['operator', 's3:GetObject', incoming('incoming/B0WATERBTL/r3.zip'), false],
    ['searchApi', 's3:GetObject', assets(`${version}/renders/descriptors.json`), true],
    ['searchApi', 's3:PutObject', assets(`${version}/renders/descriptors.json`), false],
    ['searchApi', 's3:GetObject', incoming('incoming/B0WATERBTL/r3.zip'), false],
  ] as [Workload, string, string, boolean][])('%s %s %s → %s', (workload, action, resource, allowed) => {
    expect(policyAllows(policyOf(workload), action, resource)).toBe(allowed);
  });

  it.each(Object.keys(WORKLOAD_SERVICE_ACCOUNTS) as Workload[])(
    '%s gets no wildcard action, no bucket-wide object grant, no other bucket',
    (workload) => {
      for (const statement of policyOf(workload).Statement as { Action: string[]; Resource: string[] }[]) {
        for (const action of statement.Action) expect(action).not.toMatch(/\*/);
        for (const resource of statement.Resource) {
          expect(resource).not.toBe('*');
          expect(resource).not.toMatch(/:::shazam-prod-(incoming|assets)\/\*$/);
          expect(resource).toMatch(/^arn:aws:(s3:::shazam-prod-(incoming|assets)|kms:)/);
        }
      }
    },
  );

  it('lets artists only upload under incoming/', () => {
    const policy = json(
      ofType('aws:iam/policy:Policy').find((p) => p.inputs.name === 'shazam-prod-artist-upload')?.inputs
        .policy,
    );
    expect(policyAllows(policy, 's3:PutObject', incoming('incoming/B0WATERBTL/r3.zip'))).toBe(true);
    expect(policyAllows(policy, 's3:GetObject', incoming('incoming/B0WATERBTL/r3.zip'))).toBe(false);
    expect(policyAllows(policy, 's3:PutObject', assets('assets/B0WATERBTL/published.json'))).toBe(false);
  });
});

describe('GPU nodes', () => {
  const nodeGroup = (name: string) =>
    ofType('aws:eks/nodeGroup:NodeGroup').find((group) => group.inputs.nodeGroupName === name)?.inputs;

  const gpuNode = () => {
    const gpu = nodeGroup('gpu');
    const effects: Record<string, NodeTaint['effect']> = {
      NO_SCHEDULE: 'NoSchedule',
      NO_EXECUTE: 'NoExecute',
      PREFER_NO_SCHEDULE: 'PreferNoSchedule',
    };
    return {
      labels: gpu?.labels as Record<string, string>,
      taints: ((gpu?.taints ?? []) as { key: string; value: string; effect: string }[]).map((taint) => ({
        ...taint,
        effect: effects[taint.effect] ?? 'NoSchedule',
      })),
    };
  };
  const systemNode = () => ({
    labels: nodeGroup('system')?.labels as Record<string, string>,
    taints: [] as NodeTaint[],
  });
  const chartDefaults = parse(file('fixtures/gpu-chart-defaults.yaml')) as Record<
    string,
    { version: string; values: Record<string, unknown> }
  >;
  /** What a chart's pods get: its values.yaml with ours merged over it, as Helm does. */
  const effectiveValues = (chart: string) => {
    const release = ofType('kubernetes:helm.sh/v3:Release').find((r) => r.inputs.chart === chart);
    expect(release?.inputs.version).toBe(chartDefaults[chart]?.version);
    return helmMerge(chartDefaults[chart]?.values, release?.inputs.values) as Record<string, unknown>;
  };

  it('taints GPU nodes so only pods that tolerate nvidia.com/gpu land there, and labels them from one source', () => {
    const gpu = nodeGroup('gpu');
    expect(gpu?.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }]);
    expect(gpu?.labels).toEqual(GPU_NODE_LABELS);
    expect(gpu?.amiType).toBe('AL2023_x86_64_NVIDIA');
    expect(nodeGroup('system')?.taints).toBeUndefined();
    // The autoscaler's template node (built from tags when the group is at zero) has the same labels and taints.
    const tags = gpu?.tags as Record<string, string>;
    for (const [key, value] of Object.entries(GPU_NODE_LABELS))
      expect(tags[`k8s.io/cluster-autoscaler/node-template/label/${key}`]).toBe(value);
    expect(tags['k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu']).toBe('true:NoSchedule');
  });

  it.each(['nvidia-device-plugin', 'dcgm-exporter'])(
    '%s, with the chart’s own defaults merged under our values, schedules onto GPU nodes and nowhere else',
    (chart) => {
      const values = effectiveValues(chart) as PodPlacement;
      expect(podFitsNode(values, gpuNode())).toBe(true);
      expect(podFitsNode(values, systemNode())).toBe(false);
    },
  );

  it.each(['dev', 'prod'])(
    'the %s overlay’s render pods (operator.yaml gpu) schedule onto GPU nodes only, as gpu-scheduling.ts says',
    (overlay) => {
      const config = parse(file(`../manifests/overlays/${overlay}/operator.yaml`)) as {
        gpu: { nodeSelector: Record<string, string>; tolerations: Toleration[] };
      };
      expect(config.gpu).toMatchObject(RENDER_POD_PLACEMENT);
      expect(podFitsNode(config.gpu, gpuNode())).toBe(true);
      // Without the toleration the taint keeps it off; without the selector it could land on system nodes.
      expect(podFitsNode({ ...config.gpu, tolerations: [] }, gpuNode())).toBe(false);
      expect(podFitsNode(config.gpu, systemNode())).toBe(false);
    },
  );

  it('keeps the DCGM exporter’s pod labels on GPU series, so the dashboard’s per-pod panel has data', () => {
    const monitor = (effectiveValues('dcgm-exporter') as { serviceMonitor: { honorLabels: boolean } })
      .serviceMonitor;
    // A series as the exporter reports it for a render pod, scraped from the exporter pod's target.
    const series = {
      __name__: 'DCGM_FI_DEV_GPU_UTIL',
      namespace: 'shazam-pipeline',
      pod: 'render-b0d4kmx7q2-1-abcde',
      gpu: '0',
    };
    const target = { namespace: 'kube-system', pod: 'dcgm-exporter-x7k2p', job: 'dcgm-exporter' };
    const stored = scrapedLabels(series, target, monitor.honorLabels);
    const panels = (
      JSON.parse(file('../manifests/monitoring/dashboards/gpu.json')) as {
        panels: { targets?: { expr: string }[] }[];
      }
    ).panels;
    const perPod = panels
      .flatMap((panel) => panel.targets ?? [])
      .find((target) => /by \(pod\)/.test(target.expr));
    // The panel groups by pod and filters on the pipeline namespace: both must be the render pod's.
    expect(perPod?.expr).toMatch(/namespace="shazam-pipeline"/);
    expect(stored.namespace).toBe('shazam-pipeline');
    expect(stored.pod).toBe(series.pod);
  });

  it('scales GPU nodes from zero with a cluster autoscaler limited to this cluster’s groups', () => {
    const role = ofType('aws:iam/role:Role').find((r) => r.inputs.name === 'shazam-prod-cluster-autoscaler');
    expect(JSON.stringify(json(role?.inputs.assumeRolePolicy))).toContain(
      'system:serviceaccount:kube-system:cluster-autoscaler',
    );
    const policy = ofType('aws:iam/rolePolicy:RolePolicy').find((p) => p.inputs.role === role?.id);
    const scale = (json(policy?.inputs.policy).Statement as { Sid: string; Condition?: unknown }[]).find(
      (statement) => statement.Sid === 'ScaleOwnGroups',
    );
    expect(scale?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/shazam-prod': 'owned' },
    });
    const gpu = nodeGroup('gpu');
    expect((gpu?.scalingConfig as { minSize: number } | undefined)?.minSize).toBe(0);
  });

  it('runs the NVIDIA device plugin and DCGM exporter on the tainted nodes', () => {
    const releases = ofType('kubernetes:helm.sh/v3:Release');
    for (const chart of ['nvidia-device-plugin', 'dcgm-exporter']) {
      const values = releases.find((release) => release.inputs.chart === chart)?.inputs.values as Record<
        string,
        unknown
      >;
      expect(values.tolerations).toEqual([
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      ]);
      expect(values.nodeSelector).toEqual({ 'shazam.dev/gpu': 'true' });
    }
  });
});

describe('GitOps and delivery', () => {
  it('installs Argo CD with the SHAZAM health checks and points it at the prod overlay', () => {
    const release = ofType('kubernetes:helm.sh/v3:Release').find((r) => r.inputs.chart === 'argo-cd');
    if (!release) throw new Error('no argo-cd Helm release');
    const cm = (release.inputs.values as { configs: { cm: Record<string, string> } }).configs.cm;
    expect(Object.keys(cm)).toEqual(
      expect.arrayContaining([
        'resource.customizations.health.pipeline.shazam.dev_AssetSubmission',
        'resource.customizations.health.pipeline.shazam.dev_QAReview',
        'resource.customizations.health.pipeline.shazam.dev_RenderJob',
        'resource.customizations.health.argoproj.io_Application',
        'resource.customizations.health.argoproj.io_ApplicationSet',
      ]),
    );
    expect(cm['resource.customizations.health.pipeline.shazam.dev_RenderJob']).toBe(
      file('../manifests/argocd/health/renderjob.lua'),
    );
    const [app] = generatedPlatformApplications(resources);
    expect((app?.spec as { source?: { path: string } } | undefined)?.source?.path).toBe(
      'manifests/overlays/prod',
    );
  });

  it('lets the CI role run every AWS call the image and promotion workflows make', () => {
    const ci = ofType('aws:iam/role:Role').find((role) => role.inputs.name === 'shazam-prod-ci');
    const policy = json(
      ofType('aws:iam/rolePolicy:RolePolicy').find((p) => p.inputs.role === ci?.id)?.inputs.policy,
    );
    const workflows = ['promote.yaml', 'images.yaml'].map((workflow) =>
      file(`../.github/workflows/${workflow}`),
    );
    // The IAM action behind each `aws ecr <command>`: the CLI's name in PascalCase, but for the login.
    const actions = workflows.flatMap((text) =>
      [...text.matchAll(/\baws ecr ([a-z-]+)/g)].map(([, command]) =>
        command === 'get-login-password'
          ? 'ecr:GetAuthorizationToken'
          : `ecr:${(command ?? '').replace(/(^|-)([a-z])/g, (_m, _d, letter: string) => letter.toUpperCase())}`,
      ),
    );
    expect(actions).toContain('ecr:DescribeImages');
    // A push (skopeo copy to the registry) checks, uploads and commits layers, then puts the manifest.
    if (workflows.some((text) => /skopeo copy[\s\S]*?docker:\/\//.test(text))) {
      actions.push(
        'ecr:BatchCheckLayerAvailability',
        'ecr:InitiateLayerUpload',
        'ecr:UploadLayerPart',
        'ecr:CompleteLayerUpload',
        'ecr:PutImage',
      );
    }
    expect(actions).toContain('ecr:GetAuthorizationToken');
    // The token is account-wide: it is granted on "*", every other action on each repository.
    expect(policyAllows(policy, 'ecr:GetAuthorizationToken', '*')).toBe(true);
    for (const repository of ofType('aws:ecr/repository:Repository')) {
      for (const action of actions.filter((a) => a !== 'ecr:GetAuthorizationToken'))
        expect(policyAllows(policy, action, String(repository.state.arn)), action).toBe(true);
    }
  });

  it('keeps image tags immutable and lets only the main branch push', () => {
    for (const repository of ofType('aws:ecr/repository:Repository')) {
      expect(repository.inputs.imageTagMutability).toBe('IMMUTABLE');
    }
    const ci = ofType('aws:iam/role:Role').find((role) => role.inputs.name === 'shazam-prod-ci');
    expect(JSON.stringify(json(ci?.inputs.assumeRolePolicy))).toContain(
      'repo:shazam-dev/shazam:ref:refs/heads/main',
    );
  });

  it('exports what the operator configuration needs', async () => {
    const s3 = program.operatorS3 as Record<string, import('@pulumi/pulumi').Output<string> | string>;
    const resolved = Object.fromEntries(
      await Promise.all(
        Object.entries(s3).map(async ([key, value]) => [
          key,
          typeof value === 'string' ? value : await resolve(value),
        ]),
      ),
    );
    expect(resolved).toEqual({
      region: 'us-east-1',
      incomingBucket: 'shazam-prod-incoming',
      assetsBucket: 'shazam-prod-assets',
      // The assets domain the distribution serves (its alias), not CloudFront's generated name.
      publicBaseUrl: 'https://assets.shazam.dev',
    });
  });
});

describe('CDN', () => {
  const distribution = () => ofType('aws:cloudfront/distribution:Distribution')[0];
  const keyPolicy = () =>
    json(ofType('aws:kms/keyPolicy:KeyPolicy').find((p) => p.name === 'shazam-prod-s3')?.inputs.policy);
  const s3Key = () => ofType('aws:kms/key:Key').find((resource) => resource.name === 'shazam-prod-s3');

  it('serves the overlay’s assets domain with a DNS-validated us-east-1 certificate', () => {
    const host = new URL(
      (parse(file('../manifests/overlays/prod/operator.yaml')) as { s3: { publicBaseUrl: string } }).s3
        .publicBaseUrl,
    ).host;
    const inputs = distribution()?.inputs as {
      aliases: string[];
      viewerCertificate: Record<string, unknown>;
    };
    expect(inputs.aliases).toEqual([host]);
    const certificate = ofType('aws:acm/certificate:Certificate').find((c) => c.inputs.domainName === host);
    expect(certificate?.inputs.validationMethod).toBe('DNS');
    expect(inputs.viewerCertificate).toEqual({
      acmCertificateArn: certificate?.state.arn,
      sslSupportMethod: 'sni-only',
      minimumProtocolVersion: 'TLSv1.2_2021',
    });
    // CloudFront reads certificates from us-east-1 only.
    const provider = resources.find(
      (r) => r.type === 'pulumi:providers:aws' && r.inputs.region === 'us-east-1',
    );
    expect(provider).toBeDefined();
    const records = ofType('aws:route53/record:Record');
    expect(
      records
        .filter((r) => r.inputs.name === host)
        .map((r) => r.inputs.type)
        .sort(),
    ).toEqual(['A', 'AAAA']);
    expect(records.some((r) => String(r.inputs.name).startsWith('_') && r.inputs.type === 'CNAME')).toBe(
      true,
    );
  });

  it('lets CloudFront decrypt the SSE-KMS assets for this distribution only', () => {
    const policy = keyPolicy();
    const key = String(s3Key()?.state.arn);
    const cloudFront = (sourceArn: string, action = 'kms:Decrypt') =>
      resourcePolicyAllows(policy, {
        principal: { Service: 'cloudfront.amazonaws.com' },
        action,
        resource: key,
        context: { 'AWS:SourceArn': sourceArn },
      });
    const ours = String(distribution()?.state.arn);
    expect(cloudFront(ours)).toBe(true);
    expect(cloudFront('arn:aws:cloudfront::999988887777:distribution/EOTHER')).toBe(false);
    expect(cloudFront(ours, 'kms:Encrypt')).toBe(false);
    expect(cloudFront(ours, 'kms:ScheduleKeyDeletion')).toBe(false);
    // The account keeps administering the key through IAM, so the workload roles' KMS grants still work.
    expect(
      resourcePolicyAllows(policy, {
        principal: { AWS: 'arn:aws:iam::111122223333:root' },
        action: 'kms:Decrypt',
        resource: key,
      }),
    ).toBe(true);
    expect(ofType('aws:kms/keyPolicy:KeyPolicy').find((p) => p.name === 'shazam-prod-s3')?.inputs.keyId).toBe(
      s3Key()?.id,
    );
  });
});

describe('the search API’s way in', () => {
  it('installs the AWS Load Balancer Controller with a role only its ServiceAccount assumes, and the API certificate', () => {
    const release = ofType('kubernetes:helm.sh/v3:Release').find(
      (r) => r.inputs.chart === 'aws-load-balancer-controller',
    );
    const values = release?.inputs.values as {
      clusterName: string;
      serviceAccount: { annotations: Record<string, string> };
    };
    expect(values.clusterName).toBe('shazam-prod');
    const role = ofType('aws:iam/role:Role').find(
      (r) => r.inputs.name === 'shazam-prod-load-balancer-controller',
    );
    expect(values.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toBe(role?.state.arn);
    expect(JSON.stringify(json(role?.inputs.assumeRolePolicy))).toContain(
      'system:serviceaccount:kube-system:aws-load-balancer-controller',
    );
    const settings = prod['shazam:settings'] as { domains: { api: string } };
    const certificate = ofType('aws:acm/certificate:Certificate').find(
      (c) => c.inputs.domainName === settings.domains.api,
    );
    expect(certificate?.inputs.validationMethod).toBe('DNS');
    // Deleting or changing load balancers is limited to those the controller tagged.
    const policy = json(
      ofType('aws:iam/rolePolicy:RolePolicy').find((p) => p.inputs.role === role?.id)?.inputs.policy,
    );
    const manage = (policy.Statement as { Sid: string; Condition?: unknown }[]).find(
      (s) => s.Sid === 'ManageTagged',
    );
    expect(manage?.Condition).toEqual({ Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } });
  });
});

describe('cluster', () => {
  it('installs the VPC CNI with network policy enforcement, so NetworkPolicies are not decoration', () => {
    const cni = ofType('aws:eks/addon:Addon').find((addon) => addon.inputs.addonName === 'vpc-cni');
    expect(JSON.parse(String(cni?.inputs.configurationValues))).toMatchObject({
      enableNetworkPolicy: 'true',
    });
  });

  it('runs the Kubernetes minor version the tests run (dev/local-cluster/binaries.ts)', () => {
    const minor = KUBERNETES_VERSION.replace(/^v/, '').split('.').slice(0, 2).join('.');
    const [cluster] = ofType('aws:eks/cluster:Cluster');
    expect(cluster?.inputs.version).toBe(minor);
    for (const stack of ['dev', 'prod'])
      expect((stackConfig(stack)['shazam:settings'] as { kubernetesVersion: string }).kubernetesVersion).toBe(
        minor,
      );
  });
});

describe('a second stack in the same account', () => {
  it('gives every account-unique name this stack’s prefix, except the shared resources it owns', () => {
    const shared = accountUniqueNames(resources).filter((entry) => !entry.name.includes('shazam-prod'));
    expect(shared.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {
        type: 'aws:iam/openIdConnectProvider:OpenIdConnectProvider',
        name: 'https://token.actions.githubusercontent.com',
      },
      { type: 'aws:ecr/repository:Repository', name: 'shazam' },
      { type: 'aws:ecr/repository:Repository', name: 'shazam-render' },
    ]);
  });
});

describe('the prod overlay', () => {
  it('carries exactly the stack’s outputs (pulumi/overlay-values.ts would change nothing)', async () => {
    const dir = fileURLToPath(new URL('../manifests/overlays/prod', import.meta.url));
    const files = await readOverlay(dir);
    const outputs = await resolvedOutputs(program);
    const written = applyOverlayOutputs(files, outputs);
    for (const file of OVERLAY_FILES) expect(written[file], file).toBe(files[file]);
    // A value copied wrong by hand is caught.
    const drifted = {
      ...files,
      'operator.yaml': files['operator.yaml'].replace('shazam-prod-assets', 'shazam-prd-assets'),
    };
    expect(applyOverlayOutputs(drifted, outputs)['operator.yaml']).toBe(files['operator.yaml']);
  });
});

describe('stack settings', () => {
  it.each(['dev', 'prod'])('Pulumi.%s.yaml is valid', (stack) => {
    expect(() => parseStackSettings(stackConfig(stack)['shazam:settings'], stack)).not.toThrow();
  });

  it('names the field and the fix when a setting is wrong', () => {
    const broken = {
      ...(prod['shazam:settings'] as object),
      gpuNodes: { instanceTypes: ['g5.xlarge'], minSize: 3, desiredSize: 1, maxSize: 2 },
    };
    expect(() => parseStackSettings(broken, 'prod')).toThrow(StackSettingsError);
    expect(() => parseStackSettings(broken, 'prod')).toThrow(
      /gpuNodes in Pulumi.prod.yaml needs minSize <= desiredSize <= maxSize/,
    );
    expect(() =>
      parseStackSettings({ ...(prod['shazam:settings'] as object), vpcCidr: 'x' }, 'prod'),
    ).toThrow(/vpcCidr/);
  });

  it('holds no secret literals', () => {
    for (const stack of ['dev', 'prod']) {
      expect(file(`Pulumi.${stack}.yaml`)).not.toMatch(/secure:|password|secret|AKIA[0-9A-Z]{16}/i);
    }
  });
});
