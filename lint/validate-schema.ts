import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { childPath, indexPath, type KubeSchema, quote, type Violation } from './kube-schema.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Formats ajv checks; Kubernetes ignores formats it does not know, and so does the linter. */
const KNOWN_FORMATS = new Set([
  'int32',
  'int64',
  'float',
  'double',
  'date-time',
  'date',
  'byte',
  'uuid',
  'email',
]);

/** Converts a Kubernetes structural schema to plain JSON Schema for ajv (extensions dropped or translated). */
export function toJsonSchema(schema: KubeSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-') || key === 'default' || key === 'nullable') continue;
    if (key === 'format' && !KNOWN_FORMATS.has(String(value))) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, KubeSchema>).map(([k, v]) => [k, toJsonSchema(v)]),
      );
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = toJsonSchema(value as KubeSchema);
    } else {
      out[key] = value;
    }
  }
  if (schema['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (schema.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (schema.nullable && Array.isArray(out.enum)) out.enum = [...out.enum, null];
  return out;
}

/** Translates a JSON pointer into the apiserver's field path, using the data to tell lists from maps. */
export function fieldPathOf(pointer: string, root: unknown): string {
  let path = '';
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path = indexPath(path, Number(segment));
      node = node[Number(segment)];
    } else {
      path = childPath(path, segment);
      node = (node as Record<string, unknown> | undefined)?.[segment];
    }
  }
  return path;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Words one ajv error the way kube-openapi words the same failure. */
function describe(error: ErrorObject, root: unknown): Violation {
  const field = fieldPathOf(error.instancePath, root);
  const data = error.data;
  const p = error.params as Record<string, unknown>;
  const v = (message: string, at = field): Violation => ({ field: at, message, check: 'schema' });
  switch (error.keyword) {
    case 'required':
      return v('Required value', childPath(field, String(p.missingProperty)));
    case 'type':
      return v(`Invalid value: ${quote(jsonType(data))}: must be of type ${String(p.type)}`);
    case 'enum': {
      const allowed = (error.schema as unknown[]).map(quote).join(', ');
      return v(`Unsupported value: ${quote(data)}: supported values: ${allowed}`);
    }
    case 'pattern':
      return v(`Invalid value: ${quote(data)}: should match '${String(p.pattern)}'`);
    case 'minimum':
      return v(`Invalid value: ${quote(data)}: should be greater than or equal to ${String(p.limit)}`);
    case 'maximum':
      return v(`Invalid value: ${quote(data)}: should be less than or equal to ${String(p.limit)}`);
    case 'minLength':
      return v(`Invalid value: ${quote(data)}: should be at least ${String(p.limit)} chars long`);
    case 'maxLength':
      return v(`Too long: may not be more than ${String(p.limit)} bytes`);
    case 'minItems':
      return v(`Invalid value: ${(data as unknown[]).length}: should have at least ${String(p.limit)} items`);
    case 'maxItems':
      return v(`Too many: ${(data as unknown[]).length}: must have at most ${String(p.limit)} items`);
    case 'format':
      return v(`Invalid value: ${quote(data)}: must be of type ${String(p.format)}`);
    default:
      return v(`Invalid value: ${quote(data)}: ${error.message ?? error.keyword}`);
  }
}

/**
 * Validates objects against Kubernetes structural schemas with ajv, compiling each schema once.
 *
 * Caveats: patterns run as JavaScript regular expressions, which agree with the apiserver's RE2 on the
 * patterns the SHAZAM CRDs use (no back-references or look-around, which RE2 lacks anyway).
 */
export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new WeakMap<KubeSchema, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: true });
    addFormats(this.ajv);
  }

  /** Every schema violation of `value` (already defaulted), in the order ajv finds them. */
  validate(schema: KubeSchema, value: unknown): Violation[] {
    let check = this.compiled.get(schema);
    if (!check) {
      check = this.ajv.compile(toJsonSchema(schema));
      this.compiled.set(schema, check);
    }
    if (check(value)) return [];
    return (check.errors ?? []).map((error) => describe(error, value));
  }
}
