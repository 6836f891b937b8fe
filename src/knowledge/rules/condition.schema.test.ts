import { describe, expect, it } from 'vitest';
import { CONDITION_LIMITS, ConditionSchema, parseCondition, referencedFacts, type Condition } from './condition.schema.js';
import { formatProblem } from './problem.js';

function problemsOf(input: unknown, at = 'when'): string[] {
  const result = parseCondition(input, { at });
  return result.ok ? [] : result.problems.map(formatProblem);
}

function nest(depth: number): unknown {
  let node: unknown = { fact: 'a', op: 'exists' };
  for (let i = 1; i < depth; i += 1) node = { not: node };
  return node;
}

describe('parseCondition', () => {
  it.each<[string, unknown]>([
    ['a leaf', { fact: 'order.ageDays', op: 'lte', value: 30 }],
    ['exists without value', { fact: 'customer.tier', op: 'exists' }],
    ['notExists without value', { fact: 'customer.tier', op: 'notExists' }],
    ['in with an array', { fact: 'customer.tier', op: 'in', value: ['gold', 'silver'] }],
    ['nin with an array', { fact: 'customer.tier', op: 'nin', value: ['basic'] }],
    ['contains with a string', { fact: 'order.note', op: 'contains', value: 'gift' }],
    ['eq with an object value', { fact: 'order.address', op: 'eq', value: { city: 'Shanghai' } }],
    ['an ISO date bound', { fact: 'order.placedAt', op: 'gte', value: '2024-01-01' }],
    ['array index paths', { fact: 'items.0.sku', op: 'eq', value: 'A-1' }],
    ['Chinese path segments', { fact: '订单.金额', op: 'gt', value: 100 }],
    ['nested all/any/not', { all: [{ any: [{ fact: 'a', op: 'eq', value: 1 }, { not: { fact: 'b', op: 'exists' } }] }] }],
    ['the contract example', { all: [{ fact: 'order.ageDays', op: 'lte', value: 30 }] }],
  ])('accepts %s', (_name, input) => {
    const result = parseCondition(input);
    expect(result).toEqual({ ok: true, value: input });
  });

  it.each<[string, unknown, string[]]>([
    [
      'an unknown operator, with its JSON path',
      { all: [{ fact: 'a', op: 'eq', value: 1 }, { fact: 'b', op: 'lessThan', value: 2 }] },
      ['when.all[1].op: unknown operator "lessThan" (expected one of eq, ne, lt, lte, gt, gte, in, nin, contains, exists, notExists)'],
    ],
    ['a missing op', { fact: 'a', value: 1 }, ['when.op: is required']],
    ['a value on exists', { fact: 'a', op: 'exists', value: true }, ['when.value: "exists" takes no value']],
    ['a missing value on eq', { fact: 'a', op: 'eq' }, ['when.value: "eq" needs a value']],
    ['a null value', { fact: 'a', op: 'ne', value: null }, ['when.value: null is not a comparable value; use "exists" or "notExists"']],
    ['a scalar on in', { fact: 'a', op: 'in', value: 'gold' }, ['when.value: "in" needs a non-empty array value']],
    ['an empty array on nin', { fact: 'a', op: 'nin', value: [] }, ['when.value: "nin" needs a non-empty array value']],
    ['a string bound on lt', { fact: 'a', op: 'lt', value: 'ten' }, ['when.value: "lt" needs a number or an ISO date value']],
    ['a boolean bound on gte', { fact: 'a', op: 'gte', value: true }, ['when.value: "gte" needs a number or an ISO date value']],
    ['an empty all', { all: [] }, ['when.all: needs at least one condition']],
    ['an empty any deep inside', { not: { any: [] } }, ['when.not.any: needs at least one condition']],
    ['two kinds at once', { all: [{ fact: 'a', op: 'exists' }], fact: 'b' }, ['when: a condition has exactly one of "all", "any", "not" or "fact"; found "all" and "fact"']],
    ['no kind', {}, ['when: a condition needs one of "all", "any", "not" or "fact"']],
    ['op on a combinator', { not: { fact: 'a', op: 'exists' }, op: 'eq' }, ['when.op: "op" belongs to a fact condition']],
    ['an unknown field', { fact: 'a', op: 'exists', note: 'x' }, ['when.note: unknown field']],
    ['a non-object', 'order.ageDays > 30', ['when: expected an object, got a string']],
    ['a non-array all', { all: { fact: 'a', op: 'exists' } }, ['when.all: expected an array, got an object']],
    ['an empty path segment', { fact: 'order..ageDays', op: 'exists' }, ['when.fact: must be a dotted path such as "order.ageDays" or "items.0.sku" (at most 256 characters)']],
    ['a path with spaces', { fact: 'order age', op: 'exists' }, ['when.fact: must be a dotted path such as "order.ageDays" or "items.0.sku" (at most 256 characters)']],
    ['a numeric fact', { fact: 3, op: 'exists' }, ['when.fact: expected a string, got a number']],
  ])('rejects %s', (_name, input, expected) => {
    expect(problemsOf(input)).toEqual(expected);
  });

  it('reports every problem in one pass', () => {
    const problems = problemsOf({ any: [{ fact: 'a', op: 'lessThan', value: 1 }, { fact: 'b', op: 'in', value: 3 }, { all: [] }] });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^when\.any\[0\]\.op: unknown operator "lessThan"/);
    expect(problems[1]).toBe('when.any[1].value: "in" needs a non-empty array value');
    expect(problems[2]).toBe('when.any[2].all: needs at least one condition');
  });

  it('paths start at the root when no prefix is given', () => {
    const result = parseCondition({ all: [{ fact: 'a', op: 'nope' }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.path).toBe('all[0].op');
  });

  it('accepts the maximum depth and rejects one level more with a typed code', () => {
    expect(parseCondition(nest(CONDITION_LIMITS.maxDepth)).ok).toBe(true);
    const result = parseCondition(nest(CONDITION_LIMITS.maxDepth + 1), { at: 'when' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual([
        { path: `when${'.not'.repeat(CONDITION_LIMITS.maxDepth)}`, code: 'too-deep', message: 'conditions nest deeper than 10 levels' },
      ]);
    }
  });

  it('rejects a hostile, very deep document without overflowing the stack', () => {
    const result = parseCondition(nest(100_000));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.code).toBe('too-deep');
  });

  it('accepts the maximum number of leaves and rejects one more with a typed code', () => {
    const leaves = (n: number) => ({ all: Array.from({ length: n }, (_, i) => ({ fact: `f${i}`, op: 'exists' })) });
    expect(parseCondition(leaves(CONDITION_LIMITS.maxLeaves)).ok).toBe(true);
    const result = parseCondition(leaves(CONDITION_LIMITS.maxLeaves + 1));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual([{ path: '', code: 'too-many-leaves', message: 'condition has 101 leaves (at most 100)' }]);
    }
  });

  it('is the same check as ConditionSchema, so record schemas can compose it', () => {
    expect(ConditionSchema.safeParse({ fact: 'a', op: 'lessThan' }).success).toBe(false);
    expect(ConditionSchema.safeParse({ fact: 'a', op: 'exists' }).success).toBe(true);
  });
});

describe('referencedFacts', () => {
  it.each<[string, Condition, string[]]>([
    ['a single leaf', { fact: 'order.ageDays', op: 'lte', value: 30 }, ['order.ageDays']],
    [
      'nested combinators in order of appearance, once each',
      {
        all: [
          { fact: 'order.ageDays', op: 'lte', value: 30 },
          { any: [{ fact: 'customer.tier', op: 'eq', value: 'gold' }, { not: { fact: 'order.ageDays', op: 'exists' } }] },
          { fact: 'items.0.sku', op: 'exists' },
        ],
      },
      ['order.ageDays', 'customer.tier', 'items.0.sku'],
    ],
  ])('lists %s', (_name, condition, facts) => {
    expect(referencedFacts(condition)).toEqual(facts);
  });
});
