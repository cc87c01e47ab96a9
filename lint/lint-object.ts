import { applyDefaults } from './apply-defaults.ts';
import { CelRuleEvaluator } from './cel-rules.ts';
import type { CrdCatalog } from './crd-catalog.ts';
import { isObject, type KubeSchema, quote, type Violation } from './kube-schema.ts';
import { findListDuplicates, findUnknownFields } from './structural-checks.ts';
import { SchemaValidator } from './validate-schema.ts';

/** The verdict on one object. */
export interface ObjectVerdict {
  /** `kind` as written, or `?` when missing. */
  kind: string;
  /** `metadata.name` (or generateName), or `?` when missing. */
  name: string;
  /** checked: a known kind was validated; skipped: not a kind this catalog defines. */
  outcome: 'checked' | 'skipped';
  violations: Violation[];
  /** Things worth knowing that are not errors (why a document was skipped, rules left for the apiserver). */
  notes: string[];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkMetadata(metadata: unknown): Violation[] {
  if (!isObject(metadata))
    return [
      { field: 'metadata', message: 'Required value: every object needs metadata.name', check: 'metadata' },
    ];
  const name = metadata.name ?? metadata.generateName;
  if (name === undefined || name === '') {
    return [
      {
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
        check: 'metadata',
      },
    ];
  }
  if (typeof name !== 'string') {
    return [
      {
        field: 'metadata.name',
        message: `Invalid value: ${quote(name)}: must be a string`,
        check: 'metadata',
      },
    ];
  }
  const problems: Violation[] = [];
  const checked = metadata.name === undefined ? name.replace(/-$/, 'x') : name;
  if (name.length > 253) {
    problems.push({
      field: 'metadata.name',
      message: 'Invalid value: must be no more than 253 characters',
      check: 'metadata',
    });
  } else if (!DNS_SUBDOMAIN.test(checked)) {
    problems.push({
      field: 'metadata.name',
      message: `Invalid value: ${quote(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      check: 'metadata',
    });
  }
  return problems;
}

/**
 * Checks objects against the kinds of a CRD catalog the way the apiserver checks a create: unknown fields
 * (strict decoding), metadata, defaults, the OpenAPI schema, list types, then, only when all of those pass
 * (as the apiserver does), the CEL rules. Objects of other API groups are skipped.
 */
export class ObjectLinter {
  private readonly schemas = new SchemaValidator();
  private readonly cel = new CelRuleEvaluator();

  private readonly withoutStatus = new WeakMap<KubeSchema, KubeSchema>();

  constructor(private readonly catalog: CrdCatalog) {}

  /** The root schema less `status`, which is also less for ajv to compile. */
  private specSchema(root: KubeSchema): KubeSchema {
    let schema = this.withoutStatus.get(root);
    if (!schema) {
      const { status: _status, ...properties } = root.properties ?? {};
      schema = { ...root, properties };
      this.withoutStatus.set(root, schema);
    }
    return schema;
  }

  /** The verdict on one parsed object. */
  lint(object: unknown): ObjectVerdict {
    if (!isObject(object)) {
      return {
        kind: '?',
        name: '?',
        outcome: 'checked',
        notes: [],
        violations: [
          {
            field: '',
            message: 'Invalid value: a manifest must be a YAML mapping with apiVersion, kind and metadata',
            check: 'decode',
          },
        ],
      };
    }
    const kind = typeof object.kind === 'string' && object.kind ? object.kind : '?';
    const meta = isObject(object.metadata) ? object.metadata : {};
    const name = String(meta.name ?? meta.generateName ?? '?');
    const verdict: ObjectVerdict = { kind, name, outcome: 'checked', violations: [], notes: [] };
    const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
    if (object.apiVersion === undefined && object.kind === undefined) {
      // Repositories hold other YAML too (delivery manifests, Helm values); it is not ours to judge.
      verdict.outcome = 'skipped';
      verdict.notes.push('skipped: not a Kubernetes object (no apiVersion or kind)');
      return verdict;
    }
    if (!apiVersion)
      verdict.violations.push({
        field: 'apiVersion',
        message: 'Required value: apiVersion must be set',
        check: 'decode',
      });
    if (kind === '?')
      verdict.violations.push({
        field: 'kind',
        message: 'Required value: kind must be set',
        check: 'decode',
      });
    if (verdict.violations.length > 0) return verdict;

    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    if (!this.catalog.groups.has(group)) {
      verdict.outcome = 'skipped';
      verdict.notes.push(`skipped: ${apiVersion} ${kind} is not a SHAZAM kind`);
      return verdict;
    }
    const versions = this.catalog.versionsOf(group, kind);
    const crd = versions.find((v) => v.version === version);
    if (!crd) {
      const message =
        versions.length === 0
          ? `Unsupported value: ${quote(kind)}: ${group} has no such kind`
          : `Unsupported value: ${quote(apiVersion)}: ${kind} is served as ${versions.map((v) => `${group}/${v.version}`).join(', ')}`;
      verdict.violations.push({
        field: versions.length === 0 ? 'kind' : 'apiVersion',
        message,
        check: 'decode',
      });
      return verdict;
    }

    const unknown = findUnknownFields(crd.schema, object);
    if (unknown.length > 0) {
      // Strict decoding fails before anything else runs, so the apiserver reports only these.
      verdict.violations.push(...unknown);
      return verdict;
    }
    // With the status subresource, a create drops `status` before validation: only the operator writes it.
    const { status, ...written } = object;
    if (status !== undefined) verdict.notes.push('status is ignored on create: the operator writes it');
    const schema = this.specSchema(crd.schema);
    verdict.violations.push(...checkMetadata(written.metadata));
    const defaulted = applyDefaults(schema, written);
    verdict.violations.push(...this.schemas.validate(schema, defaulted));
    verdict.violations.push(...findListDuplicates(schema, defaulted));
    if (verdict.violations.length > 0) {
      verdict.notes.push(
        'CEL rules not checked: the apiserver checks them only once the schema errors are fixed',
      );
      return verdict;
    }
    const cel = this.cel.evaluate(schema, defaulted);
    verdict.violations.push(...cel.violations);
    return verdict;
  }
}
