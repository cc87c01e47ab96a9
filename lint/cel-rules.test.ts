import { describe, expect, it } from 'vitest';
import { CelRuleEvaluator, isTransitionRule, toCelValue } from './cel-rules.ts';
import type { KubeSchema } from './kube-schema.ts';

const evaluator = new CelRuleEvaluator();

describe('CelRuleEvaluator', () => {
  it('binds integer fields as CEL ints and number fields as doubles', () => {
    const schema: KubeSchema = {
      type: 'object',
      properties: { n: { type: 'integer' }, x: { type: 'number' } },
      'x-kubernetes-validations': [{ rule: 'self.n == 72 && self.x >= 10.0', message: 'no' }],
    };
    expect(evaluator.evaluate(schema, { n: 72, x: 15 }).violations).toEqual([]);
    expect(evaluator.evaluate(schema, { n: 36, x: 15 }).violations).toEqual([
      { field: '', message: 'Invalid value: no', check: 'cel' },
    ]);
    expect(toCelValue(schema, { n: 1, x: 1 })).toEqual({ n: 1n, x: 1 });
  });

  it('uses messageExpression, fieldPath and reason, and falls back to message when the expression fails', () => {
    const schema: KubeSchema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { name: { type: 'string' } },
          'x-kubernetes-validations': [
            {
              rule: "self.name != 'x'",
              messageExpression: "'bad name ' + self.name",
              fieldPath: '.name',
              reason: 'FieldValueForbidden',
            },
            { rule: "self.name != 'x'", messageExpression: 'self.missing', message: 'fallback' },
          ],
        },
      },
    };
    expect(evaluator.evaluate(schema, { spec: { name: 'x' } }).violations).toEqual([
      { field: 'spec.name', message: 'Forbidden: bad name x', check: 'cel' },
      { field: 'spec', message: 'Invalid value: fallback', check: 'cel' },
    ]);
  });

  it('runs rules on every list item, and not on absent fields', () => {
    const schema: KubeSchema = {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'string',
            'x-kubernetes-validations': [{ rule: "self != 'bad'", message: 'bad item' }],
          },
        },
        absent: { type: 'string', 'x-kubernetes-validations': [{ rule: 'false', message: 'never' }] },
      },
    };
    expect(evaluator.evaluate(schema, { items: ['ok', 'bad'] }).violations.map((v) => v.field)).toEqual([
      'items[1]',
    ]);
  });

  it('skips transition rules and counts them', () => {
    const schema: KubeSchema = {
      type: 'object',
      properties: { asin: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } },
    };
    expect(isTransitionRule({ rule: 'self == oldSelf' })).toBe(true);
    expect(isTransitionRule({ rule: 'self.oldSelfie == 1' })).toBe(false);
    expect(evaluator.evaluate(schema, { asin: 'B0D4KMX7Q2' })).toEqual({
      violations: [],
      skippedTransitionRules: 1,
    });
  });

  it('reports a rule that fails to evaluate instead of passing it', () => {
    const schema: KubeSchema = {
      type: 'object',
      'x-kubernetes-validations': [{ rule: 'self.nothing == 1' }],
    };
    const [violation] = evaluator.evaluate(schema, {}).violations;
    expect(violation?.message).toContain('failed to evaluate');
  });
});
