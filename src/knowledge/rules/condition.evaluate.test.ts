import { describe, expect, it } from 'vitest';
import { evaluateRule, formatTrace, type LeafFailure } from './condition.evaluate.js';
import { ConditionLimitError, parseCondition, type Condition, type FactCondition, type JsonValue } from './condition.schema.js';

const context = {
  order: {
    ageDays: 12,
    total: 99.5,
    used: false,
    status: 'shipped',
    note: 'Gift wrap, please',
    placedAt: '2024-05-01T08:00:00+08:00',
    deliveredOn: '2024-05-03',
    amountText: '30',
    tags: ['gift', 'express'],
    codes: [7, 9],
    emptyList: [],
    address: { city: 'Shanghai', zip: '200000' },
    nothing: null,
  },
  items: [{ sku: 'A-1', qty: 2 }],
  customer: { tier: 'gold', 名字: '张三' },
};

function leaf(fact: string, op: FactCondition['op'], value?: JsonValue): FactCondition {
  return (value === undefined ? { fact, op } : { fact, op, value }) as FactCondition;
}

type Row = [string, FactCondition, boolean, LeafFailure | undefined];

const rows: Row[] = [
  // eq / ne
  ['eq number held', leaf('order.ageDays', 'eq', 12), true, undefined],
  ['eq number not satisfied', leaf('order.ageDays', 'eq', 13), false, 'not-satisfied'],
  ['eq string held', leaf('order.status', 'eq', 'shipped'), true, undefined],
  ['eq string is case-sensitive', leaf('order.status', 'eq', 'Shipped'), false, 'not-satisfied'],
  ['eq boolean held', leaf('order.used', 'eq', false), true, undefined],
  ['eq object compares deeply', leaf('order.address', 'eq', { zip: '200000', city: 'Shanghai' }), true, undefined],
  ['eq array compares deeply, in order', leaf('order.tags', 'eq', ['express', 'gift']), false, 'not-satisfied'],
  ['eq Chinese value', leaf('customer.名字', 'eq', '张三'), true, undefined],
  ['eq array index path', leaf('items.0.sku', 'eq', 'A-1'), true, undefined],
  ['eq numeric string vs number is a type mismatch', leaf('order.amountText', 'eq', 30), false, 'type-mismatch'],
  ['eq number vs numeric string is a type mismatch', leaf('order.ageDays', 'eq', '12'), false, 'type-mismatch'],
  ['eq boolean vs string is a type mismatch', leaf('order.used', 'eq', 'false'), false, 'type-mismatch'],
  ['eq missing fact', leaf('order.refund', 'eq', 1), false, 'missing'],
  ['eq null fact counts as missing', leaf('order.nothing', 'eq', 1), false, 'missing'],
  ['eq ISO dates compare as instants', leaf('order.placedAt', 'eq', '2024-05-01T00:00:00Z'), true, undefined],
  ['eq date-only equals midnight UTC', leaf('order.deliveredOn', 'eq', '2024-05-03T00:00:00.000Z'), true, undefined],
  ['ne held', leaf('order.status', 'ne', 'cancelled'), true, undefined],
  ['ne not satisfied', leaf('order.status', 'ne', 'shipped'), false, 'not-satisfied'],
  ['ne type mismatch is false, not true', leaf('order.ageDays', 'ne', 'twelve'), false, 'type-mismatch'],
  ['ne missing fact is false', leaf('order.refund', 'ne', 'x'), false, 'missing'],
  // order
  ['lt held', leaf('order.ageDays', 'lt', 30), true, undefined],
  ['lt equal is not less', leaf('order.ageDays', 'lt', 12), false, 'not-satisfied'],
  ['lte equal held', leaf('order.ageDays', 'lte', 12), true, undefined],
  ['lte not satisfied', leaf('order.ageDays', 'lte', 11), false, 'not-satisfied'],
  ['gt decimals', leaf('order.total', 'gt', 99.49), true, undefined],
  ['gt not satisfied', leaf('order.total', 'gt', 99.5), false, 'not-satisfied'],
  ['gte equal held', leaf('order.total', 'gte', 99.5), true, undefined],
  ['gte numeric string is a type mismatch', leaf('order.amountText', 'gte', 10), false, 'type-mismatch'],
  ['lt plain string is a type mismatch', leaf('order.status', 'lt', 5), false, 'type-mismatch'],
  ['lt missing fact', leaf('order.refund', 'lt', 5), false, 'missing'],
  ['lt dates with zones', leaf('order.placedAt', 'lt', '2024-05-01T00:00:01Z'), true, undefined],
  ['gte date vs date-only', leaf('order.deliveredOn', 'gte', '2024-05-03'), true, undefined],
  ['gt date not satisfied', leaf('order.deliveredOn', 'gt', '2024-05-03'), false, 'not-satisfied'],
  ['lt date vs number is a type mismatch', leaf('order.deliveredOn', 'lt', 20240504), false, 'type-mismatch'],
  ['gt number vs date is a type mismatch', leaf('order.ageDays', 'gt', '2024-01-01'), false, 'type-mismatch'],
  // in / nin
  ['in held', leaf('customer.tier', 'in', ['gold', 'platinum']), true, undefined],
  ['in not satisfied', leaf('customer.tier', 'in', ['silver']), false, 'not-satisfied'],
  ['in all elements of another kind is a type mismatch', leaf('order.ageDays', 'in', ['12', '13']), false, 'type-mismatch'],
  ['in mixed list matches the same kind', leaf('order.ageDays', 'in', ['12', 12]), true, undefined],
  ['in missing fact', leaf('customer.region', 'in', ['EU']), false, 'missing'],
  ['in matches dates as instants', leaf('order.deliveredOn', 'in', ['2024-05-03T00:00:00Z']), true, undefined],
  ['nin held', leaf('customer.tier', 'nin', ['basic', 'silver']), true, undefined],
  ['nin not satisfied', leaf('customer.tier', 'nin', ['gold']), false, 'not-satisfied'],
  ['nin type mismatch is false', leaf('order.ageDays', 'nin', ['a', 'b']), false, 'type-mismatch'],
  ['nin missing fact is false', leaf('customer.region', 'nin', ['EU']), false, 'missing'],
  // contains
  ['contains array element', leaf('order.tags', 'contains', 'gift'), true, undefined],
  ['contains array element absent', leaf('order.tags', 'contains', 'fragile'), false, 'not-satisfied'],
  ['contains number in number array', leaf('order.codes', 'contains', 9), true, undefined],
  ['contains string in number array is a type mismatch', leaf('order.codes', 'contains', '9'), false, 'type-mismatch'],
  ['contains on an empty array', leaf('order.emptyList', 'contains', 'x'), false, 'not-satisfied'],
  ['contains substring', leaf('order.note', 'contains', 'wrap'), true, undefined],
  ['contains substring is case-sensitive', leaf('order.note', 'contains', 'WRAP'), false, 'not-satisfied'],
  ['contains number in string is a type mismatch', leaf('order.note', 'contains', 5), false, 'type-mismatch'],
  ['contains on a number fact is a type mismatch', leaf('order.ageDays', 'contains', 1), false, 'type-mismatch'],
  ['contains on an object fact is a type mismatch', leaf('order.address', 'contains', 'city'), false, 'type-mismatch'],
  ['contains missing fact', leaf('order.refund', 'contains', 'x'), false, 'missing'],
  // presence
  ['exists held', leaf('order.status', 'exists'), true, undefined],
  ['exists held for false', leaf('order.used', 'exists'), true, undefined],
  ['exists held for an empty string', leaf('order.note', 'exists'), true, undefined],
  ['exists on a missing fact', leaf('order.refund', 'exists'), false, 'missing'],
  ['exists on a null fact', leaf('order.nothing', 'exists'), false, 'missing'],
  ['notExists on a missing fact held', leaf('order.refund', 'notExists'), true, undefined],
  ['notExists on a null fact held', leaf('order.nothing', 'notExists'), true, undefined],
  ['notExists on a present fact', leaf('order.status', 'notExists'), false, 'not-satisfied'],
];

describe('evaluateRule leaves', () => {
  it.each(rows)('%s', (_name, condition, held, failure) => {
    const { fired, trace } = evaluateRule(condition, context);
    expect(fired).toBe(held);
    expect(trace).toMatchObject({ kind: 'fact', path: condition.fact, op: condition.op, held });
    expect(trace.kind === 'fact' ? trace.failure : 'not a leaf').toBe(failure);
  });

  it('every condition in the table is valid per the grammar', () => {
    for (const [, condition] of rows) expect(parseCondition(condition).ok).toBe(true);
  });

  it('records expected and actual values in the leaf trace', () => {
    expect(evaluateRule(leaf('order.ageDays', 'lte', 30), context).trace).toEqual({
      kind: 'fact',
      path: 'order.ageDays',
      op: 'lte',
      expected: 30,
      present: true,
      actual: 12,
      held: true,
    });
  });

  it('records a missing fact without an actual value', () => {
    expect(evaluateRule(leaf('order.refund', 'exists'), context).trace).toEqual({
      kind: 'fact',
      path: 'order.refund',
      op: 'exists',
      present: false,
      held: false,
      failure: 'missing',
    });
  });

  it('treats a context that is not an object as having no facts', () => {
    expect(evaluateRule(leaf('a', 'notExists'), null).fired).toBe(true);
    expect(evaluateRule(leaf('a', 'eq', 1), 42).fired).toBe(false);
  });
});

describe('evaluateRule combinators', () => {
  const refundWindow: Condition = {
    all: [
      { fact: 'order.ageDays', op: 'lte', value: 30 },
      { fact: 'order.used', op: 'eq', value: false },
    ],
  };

  it.each<[string, Condition, unknown, boolean]>([
    ['all holds when every child holds', refundWindow, { order: { ageDays: 3, used: false } }, true],
    ['all fails when one child fails', refundWindow, { order: { ageDays: 31, used: false } }, false],
    ['all fails on a missing fact', refundWindow, { order: { ageDays: 3 } }, false],
    ['any holds when one child holds', { any: refundWindow.all }, { order: { ageDays: 31, used: false } }, true],
    ['any fails when no child holds', { any: refundWindow.all }, { order: { ageDays: 31, used: true } }, false],
    ['not inverts', { not: refundWindow }, { order: { ageDays: 31, used: false } }, true],
    ['not of a missing-fact leaf holds', { not: { fact: 'order.refund', op: 'eq', value: 1 } }, {}, true],
    [
      'nested all/any/not',
      {
        all: [
          { any: [{ fact: 'customer.tier', op: 'eq', value: 'gold' }, { fact: 'order.total', op: 'gte', value: 100 }] },
          { not: { fact: 'order.tags', op: 'contains', value: 'final-sale' } },
        ],
      },
      { customer: { tier: 'silver' }, order: { total: 150, tags: ['gift'] } },
      true,
    ],
  ])('%s', (_name, condition, ctx, fired) => {
    expect(evaluateRule(condition, ctx).fired).toBe(fired);
  });

  it('explains every leaf and combinator, without short-circuiting', () => {
    const { fired, trace } = evaluateRule(
      { all: [{ fact: 'order.ageDays', op: 'lte', value: 30 }, { any: [{ fact: 'a', op: 'exists' }, { not: { fact: 'b', op: 'eq', value: 'x' } }] }] },
      { order: { ageDays: 45 }, b: 'y' },
    );
    expect(fired).toBe(false);
    expect(trace).toEqual({
      kind: 'all',
      held: false,
      children: [
        { kind: 'fact', path: 'order.ageDays', op: 'lte', expected: 30, present: true, actual: 45, held: false, failure: 'not-satisfied' },
        {
          kind: 'any',
          held: true,
          children: [
            { kind: 'fact', path: 'a', op: 'exists', present: false, held: false, failure: 'missing' },
            {
              kind: 'not',
              held: true,
              child: { kind: 'fact', path: 'b', op: 'eq', expected: 'x', present: true, actual: 'y', held: false, failure: 'not-satisfied' },
            },
          ],
        },
      ],
    });
  });

  it('is pure: same input, same output, context untouched', () => {
    const ctx = { order: { ageDays: 3, used: false } };
    const snapshot = structuredClone(ctx);
    expect(evaluateRule(refundWindow, ctx)).toEqual(evaluateRule(refundWindow, ctx));
    expect(ctx).toEqual(snapshot);
  });

  it('formats a trace for people', () => {
    const { trace } = evaluateRule(
      { all: [refundWindow.all[0] as Condition, { not: { fact: 'order.used', op: 'exists' } }, { fact: 'order.ageDays', op: 'eq', value: '3' }] },
      { order: { ageDays: 3 } },
    );
    expect(formatTrace(trace)).toBe(
      [
        'all: not held',
        '  order.ageDays lte 30: held (actual 3)',
        '  not: held',
        '    order.used exists: not held, missing',
        '  order.ageDays eq "3": not held, type-mismatch (actual 3)',
      ].join('\n'),
    );
  });
});

describe('evaluateRule limits', () => {
  it('throws a typed error for a hand-built tree deeper than the limit', () => {
    let node: Condition = { fact: 'a', op: 'exists' };
    for (let i = 0; i < 10; i += 1) node = { not: node };
    expect(() => evaluateRule(node, {})).toThrowError(ConditionLimitError);
    try {
      evaluateRule(node, {});
    } catch (error) {
      expect(error).toMatchObject({ code: 'too-deep', limit: 10 });
    }
  });

  it('throws a typed error for a hand-built tree with too many leaves', () => {
    const node: Condition = { any: Array.from({ length: 101 }, () => ({ fact: 'a', op: 'exists' as const })) };
    expect(() => evaluateRule(node, {})).toThrowError(expect.objectContaining({ code: 'too-many-leaves', limit: 100 }));
  });
});
