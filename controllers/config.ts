/**
 * The schema of the configuration the controllers read, written once in TypeBox: the JSON Schema the
 * operator validates its configuration file against (with every default) and the TypeScript types below
 * are both derived from it, so they cannot disagree.
 */
import Type, { type Static } from 'typebox';

/** Container resources (Kubernetes quantities). */
const QUANTITIES = Type.Record(Type.String(), Type.String({ minLength: 1 }), { default: {} });

/** A DNS-1123 label: namespaces, ServiceAccounts, Lease names. */
export const NAME = Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 });
const SECONDS = { minimum: 1, maximum: 604800 } as const;
const BUCKET = { pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' } as const;

/** The schema of how one kind of Job is run, with the component's defaults. */
function jobTemplateSchema(
  component: string,
  command: string[],
  resources: { requests: Record<string, string>; limits: Record<string, string> },
  deadline: number,
) {
  return Type.Object(
    {
      image: Type.String({ minLength: 1, default: 'ghcr.io/shazam-dev/shazam:0.1.0' }),
      imagePullPolicy: Type.Enum(['Always', 'IfNotPresent', 'Never'], { default: 'IfNotPresent' }),
      /** The program and its subcommand; the controller appends the arguments. */
      command: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: command }),
      /** ServiceAccount of the Job's pod (bound to an IAM role on EKS). */
      serviceAccountName: Type.String({ ...NAME, default: `shazam-${component}` }),
      resources: Type.Object(
        { requests: QUANTITIES, limits: QUANTITIES },
        { additionalProperties: false, default: resources },
      ),
      activeDeadlineSeconds: Type.Integer({ ...SECONDS, default: deadline }),
      backoffLimit: Type.Integer({ minimum: 0, maximum: 20, default: 2 }),
      ttlSecondsAfterFinished: Type.Integer({ minimum: 0, maximum: 2592000, default: 86400 }),
      /** Size limit of the writable scratch emptyDir mounted at /scratch. */
      scratchSizeLimit: Type.String({ minLength: 1, default: '4Gi' }),
      /** Non-root user the container runs as. */
      runAsUser: Type.Integer({ minimum: 1, default: 65532 }),
      /**
       * A Secret in the submission's namespace whose keys (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) the
       * container gets as environment: for S3 servers outside AWS (MinIO, a local cluster). Leave it unset on
       * EKS, where the ServiceAccount's IAM role gives the pod its credentials.
       */
      credentialsSecretName: Type.Optional(NAME),
    },
    { additionalProperties: false, default: {} },
  );
}

/** The controllers' part of the operator configuration, as JSON Schema properties. */
export const CONTROLLER_CONFIG_PROPERTIES = {
  s3: Type.Object(
    {
      endpoint: Type.Optional(Type.String({ pattern: '^https?://' })),
      region: Type.String({ minLength: 1, default: 'us-east-1' }),
      forcePathStyle: Type.Boolean({ default: false }),
      incomingBucket: Type.String({ ...BUCKET, default: 'shazam-incoming' }),
      assetsBucket: Type.String({ ...BUCKET, default: 'shazam-assets' }),
      /** Base of published URLs: `<publicBaseUrl>/<key>` (a CloudFront distribution in production). */
      publicBaseUrl: Type.String({ pattern: '^https?://', default: 'https://assets.shazam.example' }),
    },
    { additionalProperties: false, default: {} },
  ),
  jobs: Type.Object(
    {
      validation: jobTemplateSchema(
        'validation',
        ['shazam', 'validate-job'],
        { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
        1800,
      ),
      render: jobTemplateSchema(
        'render',
        ['shazam', 'render-job'],
        { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } },
        3600,
      ),
      /** Render on CPU where no GPU is present (tests and demos); production keeps it false. */
      allowSoftwareRender: Type.Boolean({ default: false }),
      /** Validation policy file inside the image, passed as `--policy`. */
      policyFile: Type.Optional(Type.String({ minLength: 1 })),
    },
    { additionalProperties: false, default: {} },
  ),
  gpu: Type.Object(
    {
      resourceName: Type.String({ pattern: '^[a-z0-9.-]+/[a-z0-9.-]+$', default: 'nvidia.com/gpu' }),
      count: Type.Integer({ minimum: 0, maximum: 16, default: 1 }),
      nodeSelector: Type.Record(Type.String(), Type.String(), { default: { 'shazam.dev/gpu': 'true' } }),
      tolerations: Type.Array(
        Type.Object(
          {
            key: Type.String({ minLength: 1 }),
            operator: Type.Enum(['Exists', 'Equal']),
            value: Type.Optional(Type.String()),
            effect: Type.Optional(Type.Enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])),
          },
          { additionalProperties: false },
        ),
        { default: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
      ),
    },
    { additionalProperties: false, default: {} },
  ),
  delivery: Type.Object(
    {
      /**
       * How long a submission waits for its delivery ZIP to be uploaded (a GitOps sync can apply the
       * manifest before the upload lands), counted from the start of validation, before it fails with
       * `DeliveryNotFound`.
       */
      waitSeconds: Type.Integer({ minimum: 0, maximum: 604800, default: 3600 }),
      /** The first delay before the delivery is checked again; each later delay is half the time waited so far. */
      recheckSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 5 }),
      /** The longest delay between two checks for the delivery. */
      maxRecheckSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
    },
    { additionalProperties: false, default: {} },
  ),
  retention: Type.Object(
    {
      /** Versions of an ASIN kept: the published one plus the most recently published before it. */
      versionsToKeep: Type.Integer({ minimum: 1, maximum: 100, default: 2 }),
      /**
       * Superseded revisions of a submission whose QAReview and RenderJob objects are kept once a newer
       * revision is Published (older ones are deleted; see controllers/retention/).
       */
      supersededRevisionsKept: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 1 })),
    },
    { additionalProperties: false, default: {} },
  ),
};

const CONTROLLER_CONFIG_SCHEMA = Type.Object(CONTROLLER_CONFIG_PROPERTIES, { additionalProperties: false });

/** The configuration the controllers read (a part of the operator's configuration). */
export type ControllerConfig = Static<typeof CONTROLLER_CONFIG_SCHEMA>;

/** How one kind of Job is run: image, command, identity, resources and lifetime. */
export type JobTemplateConfig = ControllerConfig['jobs']['validation'];
