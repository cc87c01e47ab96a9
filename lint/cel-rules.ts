import { type CelEnv, type CelResult, celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import {
  childPath,
  indexPath,
  isObject,
  type KubeSchema,
  propertySchema,
  type ValidationRule,
  type Violation,
} from './kube-schema.ts';

type Program = (bindings: { self: unknown }) => CelResult;

/** What happened to the rules of one object. */
export interface CelOutcome {
  violations: Violation[];
  /** Transition rules (they read `oldSelf`), which only an update can check; the apiserver skips them on create. */
  skippedTransitionRules: number;
}

const REASON_WORDS: Record<NonNullable<ValidationRule['reason']>, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueForbidden: 'Forbidden',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
};

/** True when a rule compares with the stored object: it can only run on update. */
export function isTransitionRule(rule: ValidationRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

/**
 * Converts JSON into the values the apiserver binds to `self`: `integer` fields become CEL ints (bigint)
 * and `number` fields CEL doubles, so `self.frames == 72` and `self.elevation >= 10.0` compare as they do
 * in the cluster.
 */
export function toCelValue(schema: KubeSchema | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => toCelValue(schema?.items, item));
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        toCelValue(schema ? propertySchema(schema, k) : undefined, v),
      ]),
    );
  }
  if (typeof value === 'number' && Number.isInteger(value) && schema?.type === 'integer')
    return BigInt(value);
  return value;
}

/**
 * Evaluates the `x-kubernetes-validations` rules of a schema against a (defaulted, schema-valid) object,
 * as the apiserver does on create: every rule at every node where a value is present, `messageExpression`
 * preferred over `message`, `fieldPath` and `reason` honoured. Programs are compiled once per rule.
 *
 * Caveats: the Kubernetes CEL libraries beyond the standard and strings extensions (`isURL`, `quantity`,
 * `ip`, …) are not available; a rule that calls them reports an evaluation error. The SHAZAM CRDs use none.
 */
export class CelRuleEvaluator {
  private readonly env: CelEnv = celEnv({ funcs: strings });
  private readonly programs = new Map<string, Program>();

  private program(expression: string): Program {
    let compiled = this.programs.get(expression);
    if (!compiled) {
      compiled = plan(this.env, parse(expression)) as unknown as Program;
      this.programs.set(expression, compiled);
    }
    return compiled;
  }

  /** Checks every non-transition rule in `schema` against `value`. */
  evaluate(schema: KubeSchema, value: unknown): CelOutcome {
    const outcome: CelOutcome = { violations: [], skippedTransitionRules: 0 };
    this.walk(schema, value, '', outcome);
    return outcome;
  }

  private walk(schema: KubeSchema, value: unknown, path: string, outcome: CelOutcome): void {
    if (value === undefined) return;
    for (const rule of schema['x-kubernetes-validations'] ?? []) {
      if (isTransitionRule(rule)) {
        outcome.skippedTransitionRules++;
        continue;
      }
      const violation = this.check(rule, schema, value, path);
      if (violation) outcome.violations.push(violation);
    }
    if (Array.isArray(value) && schema.items) {
      for (const [i, item] of value.entries()) this.walk(schema.items, item, indexPath(path, i), outcome);
    } else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        const childSchema = propertySchema(schema, key);
        if (childSchema) this.walk(childSchema, child, childPath(path, key), outcome);
      }
    }
  }

  private check(
    rule: ValidationRule,
    schema: KubeSchema,
    value: unknown,
    path: string,
  ): Violation | undefined {
    const self = toCelValue(schema, value);
    let result: CelResult;
    try {
      result = this.program(rule.rule)({ self });
    } catch (error) {
      return {
        field: path,
        message: `Invalid value: rule ${rule.rule} could not be compiled: ${String(error)}`,
        check: 'cel',
      };
    }
    if (result === true) return undefined;
    const field = rule.fieldPath ? `${path}${rule.fieldPath}` : path;
    if (isCelError(result)) {
      return {
        field,
        message: `Invalid value: rule ${JSON.stringify(rule.rule)} failed to evaluate: ${result.message}`,
        check: 'cel',
      };
    }
    const words = REASON_WORDS[rule.reason ?? 'FieldValueInvalid'];
    return { field, message: `${words}: ${this.message(rule, self)}`, check: 'cel' };
  }

  private message(rule: ValidationRule, self: unknown): string {
    if (rule.messageExpression) {
      try {
        const text = this.program(rule.messageExpression)({ self });
        if (typeof text === 'string' && text.trim() !== '') return text;
      } catch {
        // The apiserver falls back to `message` when messageExpression fails; so do we.
      }
    }
    return rule.message ?? `failed rule: ${rule.rule}`;
  }
}
