/** A Kubernetes structural schema node (the OpenAPI v3 subset CRDs allow, with its extensions). */
export interface KubeSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, KubeSchema>;
  additionalProperties?: KubeSchema | boolean;
  required?: string[];
  items?: KubeSchema;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: ValidationRule[];
}

/** One CEL rule of `x-kubernetes-validations`. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  optionalOldSelf?: boolean;
}

/** A problem with one field of one object, worded the way the apiserver words it. */
export interface Violation {
  /** The field path as the apiserver prints it, such as `spec.stages[1]` (empty for the whole object). */
  field: string;
  /** The apiserver-style message, such as `Required value`. */
  message: string;
  /** Which check found it. */
  check: 'decode' | 'metadata' | 'schema' | 'list' | 'cel';
}

/** The child schema of `key` under an object schema, or undefined where the key is unknown. */
export function propertySchema(schema: KubeSchema, key: string): KubeSchema | undefined {
  const known = schema.properties?.[key];
  if (known) return known;
  if (typeof schema.additionalProperties === 'object') return schema.additionalProperties;
  return undefined;
}

/** True when the schema accepts any field below it (so no field can be unknown). */
export function acceptsAnyField(schema: KubeSchema): boolean {
  return (
    schema['x-kubernetes-preserve-unknown-fields'] === true ||
    schema.additionalProperties === true ||
    (schema.type === 'object' && !schema.properties && schema.additionalProperties === undefined)
  );
}

/** Appends an object key to a field path: `spec` + `asin` → `spec.asin`. */
export function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Appends a list index to a field path: `spec.stages` + 1 → `spec.stages[1]`. */
export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** True for plain JSON objects (not arrays, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Renders a value the way the apiserver quotes it in messages: strings in quotes, the rest as JSON. */
export function quote(value: unknown): string {
  return JSON.stringify(value);
}
