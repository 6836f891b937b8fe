import { describe, expect, it } from 'vitest';
import { isFactPath, resolveFactPath } from './fact-path.js';

const context = {
  order: { ageDays: 12, used: false, note: '', tags: ['gift'] },
  items: [{ sku: 'A-1' }, { sku: 'B-2', qty: 0 }],
  customer: { tier: null },
  '订单': { '金额': 99 },
};

describe('resolveFactPath', () => {
  it.each<[string, unknown]>([
    ['order.ageDays', 12],
    ['order.used', false],
    ['order.note', ''],
    ['order.tags.0', 'gift'],
    ['items.0.sku', 'A-1'],
    ['items.1.qty', 0],
    ['订单.金额', 99],
    ['order', context.order],
  ])('resolves %s', (path, value) => {
    expect(resolveFactPath(context, path)).toEqual({ present: true, value });
  });

  it.each([
    ['an absent key', 'order.refund'],
    ['a null value', 'customer.tier'],
    ['an index past the end', 'items.2.sku'],
    ['a non-canonical index', 'items.01.sku'],
    ['a negative index', 'items.-1.sku'],
    ['array length', 'items.length'],
    ['a path through a scalar', 'order.ageDays.value'],
    ['an inherited property', 'order.constructor'],
    ['the prototype', 'order.__proto__'],
    ['toString on a string', 'order.note.toString'],
  ])('treats %s as missing', (_name, path) => {
    expect(resolveFactPath(context, path)).toEqual({ present: false });
  });

  it('treats a non-object context as having no facts', () => {
    expect(resolveFactPath(undefined, 'a')).toEqual({ present: false });
    expect(resolveFactPath('text', 'length')).toEqual({ present: false });
  });
});

describe('isFactPath', () => {
  it.each([
    ['order.ageDays', true],
    ['items.0.sku', true],
    ['slots.email', true],
    ['', false],
    ['.a', false],
    ['a.', false],
    ['a..b', false],
    ['a b', false],
    ['a'.repeat(257), false],
  ])('%s → %s', (path, valid) => {
    expect(isFactPath(path)).toBe(valid);
  });
});
