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
import Type, { type Static } from 'typebox';
import { parse as parseYaml } from 'yaml';
import { CONTROLLER_CONFIG_PROPERTIES, NAME } from '../controllers/config.ts';

/** Thrown when the configuration cannot be read or is invalid; the message names each problem and its fix. */
export class OperatorConfigError extends Error {
  override name = 'OperatorConfigError';
  readonly code = 'OPERATOR_CONFIG_INVALID';
}

const section = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false, default: {} });

/**
 * JSON Schema of the configuration file, with every default, written once in TypeBox: the controllers' part
 * comes from controllers/config.ts, the process around them is declared here, and {@link OperatorConfig} is
 * derived from it.
 */
export const OPERATOR_CONFIG_SCHEMA = Type.Object(
  {
    /** Namespaces to watch; empty means every namespace (cluster-wide RBAC needed). */
    namespaces: Type.Array(NAME, { uniqueItems: true, default: [] }),
    ...CONTROLLER_CONFIG_PROPERTIES,
    /** Leader election on a `coordination.k8s.io/v1` Lease. */
    leaderElection: section({
      enabled: Type.Boolean({ default: true }),
      leaseName: Type.String({ ...NAME, default: 'shazam-operator' }),
      /** Namespace of the Lease; the pod's namespace in a cluster. */
      leaseNamespace: Type.String({ ...NAME, default: 'shazam-system' }),
      /** Holder identity; the pod name in a cluster. Empty means `<hostname>-<pid>`. */
      identity: Type.String({ maxLength: 253, default: '' }),
      leaseDurationSeconds: Type.Integer({ minimum: 2, maximum: 600, default: 15 }),
      renewDeadlineSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 10 }),
      retryPeriodSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 2 }),
    }),
    /** HTTP endpoints: `/metrics` on metricsPort, `/healthz` and `/readyz` on healthPort (may be equal). */
    server: section({
      host: Type.String({ minLength: 1, default: '0.0.0.0' }),
      metricsPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
      healthPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8081 }),
    }),
    /** Reconciles running at once, per kind. */
    concurrency: section({
      assetSubmission: Type.Integer({ minimum: 1, maximum: 256, default: 16 }),
      qaReview: Type.Integer({ minimum: 1, maximum: 256, default: 4 }),
      renderJob: Type.Integer({ minimum: 1, maximum: 256, default: 4 }),
    }),
    /** Every object is reconciled again this often even without a change (level-triggered safety net). */
    resyncSeconds: Type.Integer({ minimum: 10, maximum: 86400, default: 600 }),
    /** Bounds of the per-key retry backoff (client-go: 5 ms doubling to ~1000 s). */
    backoff: section({
      baseMs: Type.Integer({ minimum: 1, default: 5 }),
      maxMs: Type.Integer({ minimum: 1, default: 1000000 }),
    }),
    /** Log level of the JSON logs. */
    logLevel: Type.Enum(['trace', 'debug', 'info', 'warn', 'error'], { default: 'info' }),
  },
  { additionalProperties: false },
);

/** The full operator configuration: what the controllers need plus the process around them. */
export type OperatorConfig = Static<typeof OPERATOR_CONFIG_SCHEMA>;

/** Container resources (Kubernetes quantities). */
export type ResourceQuantities = OperatorConfig['jobs']['validation']['resources'];

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
