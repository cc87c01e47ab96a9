/**
 * The operator's one typed configuration: a YAML file, then environment overrides, then defaults, validated
 * against {@link OPERATOR_CONFIG_SCHEMA} at start. Nothing else in the operator reads `process.env`.
 *
 * Every field is documented in docs/operator.md; manifests/ mirrors this shape in its ConfigMap.
 *
 * @example
 * ```ts
 * const config = loadOperatorConfig({ path: '/etc/shazam/operator.yaml', env: process.env });
 * config.s3.assetsBucket // 'shazam-assets'
 * ```
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { CONTROLLER_CONFIG_PROPERTIES } from '../controllers/config.ts';
import type { ControllerConfig } from '../controllers/context.ts';

/** Container resources (Kubernetes quantities). */
export interface ResourceQuantities {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

/** The full operator configuration: what the controllers need plus the process around them. */
export interface OperatorConfig extends ControllerConfig {
  /** Namespaces to watch; empty means every namespace (cluster-wide RBAC needed). */
  namespaces: string[];
  /** Leader election on a `coordination.k8s.io/v1` Lease. */
  leaderElection: {
    enabled: boolean;
    leaseName: string;
    /** Namespace of the Lease; the pod's namespace in a cluster. */
    leaseNamespace: string;
    /** Holder identity; the pod name in a cluster. Empty means `<hostname>-<pid>`. */
    identity: string;
    leaseDurationSeconds: number;
    renewDeadlineSeconds: number;
    retryPeriodSeconds: number;
  };
  /** HTTP endpoints: `/metrics` on metricsPort, `/healthz` and `/readyz` on healthPort (may be equal). */
  server: { host: string; metricsPort: number; healthPort: number };
  /** Reconciles running at once, per kind. */
  concurrency: { assetSubmission: number; qaReview: number; renderJob: number };
  /** Every object is reconciled again this often even without a change (level-triggered safety net). */
  resyncSeconds: number;
  /** Bounds of the per-key retry backoff (client-go: 5 ms doubling to ~1000 s). */
  backoff: { baseMs: number; maxMs: number };
  /** Log level of the JSON logs. */
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
}

/** Thrown when the configuration cannot be read or is invalid; the message names each problem and its fix. */
export class OperatorConfigError extends Error {
  override name = 'OperatorConfigError';
  readonly code = 'OPERATOR_CONFIG_INVALID';
}

const QUANTITIES = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    requests: { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, default: {} },
    limits: { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, default: {} },
  },
} as const;

const NAME = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 } as const;
const SECONDS = { type: 'integer', minimum: 1, maximum: 604800 } as const;

function jobSchema(component: string, command: string[], resources: ResourceQuantities, deadline: number) {
  return {
    type: 'object',
    additionalProperties: false,
    default: {},
    properties: {
      image: { type: 'string', minLength: 1, default: 'ghcr.io/shazam-dev/shazam:0.1.0' },
      imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'], default: 'IfNotPresent' },
      command: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, default: command },
      serviceAccountName: { ...NAME, default: `shazam-${component}` },
      resources: { ...QUANTITIES, default: resources },
      activeDeadlineSeconds: { ...SECONDS, default: deadline },
      backoffLimit: { type: 'integer', minimum: 0, maximum: 20, default: 2 },
      ttlSecondsAfterFinished: { type: 'integer', minimum: 0, maximum: 2592000, default: 86400 },
      scratchSizeLimit: { type: 'string', minLength: 1, default: '4Gi' },
      runAsUser: { type: 'integer', minimum: 1, default: 65532 },
    },
  } as const;
}

/** JSON schema of the configuration file, with every default. */
export const OPERATOR_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    namespaces: { type: 'array', items: NAME, uniqueItems: true, default: [] },
    s3: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        endpoint: { type: 'string', pattern: '^https?://' },
        region: { type: 'string', minLength: 1, default: 'us-east-1' },
        forcePathStyle: { type: 'boolean', default: false },
        incomingBucket: {
          type: 'string',
          pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
          default: 'shazam-incoming',
        },
        assetsBucket: {
          type: 'string',
          pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
          default: 'shazam-assets',
        },
        publicBaseUrl: { type: 'string', pattern: '^https?://', default: 'https://assets.shazam.example' },
      },
    },
    jobs: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        validation: jobSchema(
          'validation',
          ['shazam', 'validate-job'],
          { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
          1800,
        ),
        render: jobSchema(
          'render',
          ['shazam', 'render-job'],
          { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } },
          3600,
        ),
        allowSoftwareRender: { type: 'boolean', default: false },
        policyFile: { type: 'string', minLength: 1 },
      },
    },
    gpu: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        resourceName: { type: 'string', pattern: '^[a-z0-9.-]+/[a-z0-9.-]+$', default: 'nvidia.com/gpu' },
        count: { type: 'integer', minimum: 0, maximum: 16, default: 1 },
        nodeSelector: {
          type: 'object',
          additionalProperties: { type: 'string' },
          default: { 'shazam.dev/gpu': 'true' },
        },
        tolerations: {
          type: 'array',
          default: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['key', 'operator'],
            properties: {
              key: { type: 'string', minLength: 1 },
              operator: { enum: ['Exists', 'Equal'] },
              value: { type: 'string' },
              effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
            },
          },
        },
      },
    },
    delivery: CONTROLLER_CONFIG_PROPERTIES.delivery,
    retention: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { versionsToKeep: { type: 'integer', minimum: 1, maximum: 100, default: 2 } },
    },
    leaderElection: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        leaseName: { ...NAME, default: 'shazam-operator' },
        leaseNamespace: { ...NAME, default: 'shazam-system' },
        identity: { type: 'string', maxLength: 253, default: '' },
        leaseDurationSeconds: { type: 'integer', minimum: 2, maximum: 600, default: 15 },
        renewDeadlineSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 10 },
        retryPeriodSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 2 },
      },
    },
    server: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: 'string', minLength: 1, default: '0.0.0.0' },
        metricsPort: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
        healthPort: { type: 'integer', minimum: 0, maximum: 65535, default: 8081 },
      },
    },
    concurrency: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        assetSubmission: { type: 'integer', minimum: 1, maximum: 256, default: 16 },
        qaReview: { type: 'integer', minimum: 1, maximum: 256, default: 4 },
        renderJob: { type: 'integer', minimum: 1, maximum: 256, default: 4 },
      },
    },
    resyncSeconds: { type: 'integer', minimum: 10, maximum: 86400, default: 600 },
    backoff: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        baseMs: { type: 'integer', minimum: 1, default: 5 },
        maxMs: { type: 'integer', minimum: 1, default: 1000000 },
      },
    },
    logLevel: { enum: ['trace', 'debug', 'info', 'warn', 'error'], default: 'info' },
  },
} as const;

/** One environment variable that overrides a field: `path` into the config, and how to parse the text. */
interface EnvOverride {
  variable: string;
  path: string[];
  parse: (text: string) => unknown;
}

const text = (value: string): string => value;
const list = (value: string): string[] =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
const bool = (value: string): boolean => {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`expected "true" or "false", got "${value}"`);
};
const int = (value: string): number => {
  if (!/^-?[0-9]+$/.test(value)) throw new Error(`expected an integer, got "${value}"`);
  return Number(value);
};

/** Environment variables that override the file, in the order applied (documented in docs/operator.md). */
export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { variable: 'SHAZAM_NAMESPACES', path: ['namespaces'], parse: list },
  { variable: 'SHAZAM_S3_ENDPOINT', path: ['s3', 'endpoint'], parse: text },
  { variable: 'AWS_REGION', path: ['s3', 'region'], parse: text },
  { variable: 'SHAZAM_S3_FORCE_PATH_STYLE', path: ['s3', 'forcePathStyle'], parse: bool },
  { variable: 'SHAZAM_INCOMING_BUCKET', path: ['s3', 'incomingBucket'], parse: text },
  { variable: 'SHAZAM_ASSETS_BUCKET', path: ['s3', 'assetsBucket'], parse: text },
  { variable: 'SHAZAM_PUBLIC_BASE_URL', path: ['s3', 'publicBaseUrl'], parse: text },
  { variable: 'SHAZAM_VALIDATION_IMAGE', path: ['jobs', 'validation', 'image'], parse: text },
  { variable: 'SHAZAM_RENDER_IMAGE', path: ['jobs', 'render', 'image'], parse: text },
  { variable: 'SHAZAM_LEADER_ELECTION', path: ['leaderElection', 'enabled'], parse: bool },
  { variable: 'SHAZAM_LEASE_NAMESPACE', path: ['leaderElection', 'leaseNamespace'], parse: text },
  { variable: 'POD_NAMESPACE', path: ['leaderElection', 'leaseNamespace'], parse: text },
  { variable: 'POD_NAME', path: ['leaderElection', 'identity'], parse: text },
  { variable: 'SHAZAM_METRICS_PORT', path: ['server', 'metricsPort'], parse: int },
  { variable: 'SHAZAM_HEALTH_PORT', path: ['server', 'healthPort'], parse: int },
  { variable: 'SHAZAM_LOG_LEVEL', path: ['logLevel'], parse: text },
];

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateConfig = ajv.compile(OPERATOR_CONFIG_SCHEMA);

/** Options of {@link loadOperatorConfig}. */
export interface LoadOperatorConfigOptions {
  /** A YAML file; unset means defaults and environment only. */
  path?: string;
  /** Environment overrides; pass `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads the YAML file (if any), applies {@link ENV_OVERRIDES}, fills defaults and validates.
 * Throws {@link OperatorConfigError} naming the file, each invalid field and what is expected.
 */
export function loadOperatorConfig(options: LoadOperatorConfigOptions = {}): OperatorConfig {
  let raw: unknown = {};
  const origin = options.path ?? '(no file)';
  if (options.path !== undefined) {
    let source: string;
    try {
      source = readFileSync(options.path, 'utf8');
    } catch (cause) {
      throw new OperatorConfigError(
        `Cannot read the operator configuration ${options.path}: ${(cause as Error).message}. Pass an existing YAML file to --config.`,
      );
    }
    try {
      raw = parseYaml(source) ?? {};
    } catch (cause) {
      throw new OperatorConfigError(
        `The operator configuration ${options.path} is not valid YAML: ${(cause as Error).message}`,
      );
    }
  }
  return parseOperatorConfig(raw, options.env ?? {}, origin);
}

/**
 * Validates an already parsed configuration document with environment overrides; the pure core of
 * {@link loadOperatorConfig}. The input is not modified.
 */
export function parseOperatorConfig(
  document: unknown,
  env: Readonly<Record<string, string | undefined>> = {},
  origin = '(inline)',
): OperatorConfig {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new OperatorConfigError(
      `The operator configuration ${origin} must be a YAML mapping at the top level.`,
    );
  }
  const config = structuredClone(document) as Record<string, unknown>;
  for (const override of ENV_OVERRIDES) {
    const value = env[override.variable];
    if (value === undefined || value === '') continue;
    try {
      setPath(config, override.path, override.parse(value));
    } catch (cause) {
      throw new OperatorConfigError(
        `Environment variable ${override.variable}: ${(cause as Error).message} (it sets ${override.path.join('.')}).`,
      );
    }
  }
  if (!validateConfig(config)) {
    const problems = (validateConfig.errors ?? []).map((error) => {
      const where = error.instancePath.replaceAll('/', '.').replace(/^\./, '') || '(top level)';
      const extra =
        error.keyword === 'additionalProperties'
          ? ` "${String((error.params as { additionalProperty?: string }).additionalProperty)}"; remove it or fix its spelling`
          : '';
      return `${where} ${error.message ?? 'is invalid'}${extra}`;
    });
    throw new OperatorConfigError(
      `The operator configuration ${origin} is invalid: ${problems.join('; ')}. See docs/operator.md for every field.`,
    );
  }
  const typed = config as unknown as OperatorConfig;
  const election = typed.leaderElection;
  if (election.renewDeadlineSeconds >= election.leaseDurationSeconds) {
    throw new OperatorConfigError(
      `The operator configuration ${origin} is invalid: leaderElection.renewDeadlineSeconds (${election.renewDeadlineSeconds}) must be shorter than leaseDurationSeconds (${election.leaseDurationSeconds}).`,
    );
  }
  if (typed.backoff.baseMs > typed.backoff.maxMs) {
    throw new OperatorConfigError(
      `The operator configuration ${origin} is invalid: backoff.baseMs (${typed.backoff.baseMs}) must not exceed backoff.maxMs (${typed.backoff.maxMs}).`,
    );
  }
  return typed;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
