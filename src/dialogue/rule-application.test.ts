import { describe, expect, it } from 'vitest';
import type { RetrievedItem } from '../retrieval/retrieval.types.js';
import { applyRule } from './rule-application.js';

const rule = {
  id: 'r1',
  kind: 'rule',
  name: 'Full refund for unopened items',
  when: JSON.stringify({ all: [{ fact: 'order.ageDays', op: 'lte', value: 30 }, { fact: 'item.opened', op: 'eq', value: false }] }),
  then: 'Full refund.',
  otherwise: 'No full refund.',
  sources: [],
  about: [],
  sim: null,
} as unknown as RetrievedItem;

describe('applying a rule to the customer context', () => {
  it('answers-with-then-when-it-fires-and-explains-why', () => {
    const applied = applyRule(rule, { order: { ageDays: 9 }, item: { opened: false } });
    expect(applied).toMatchObject({ fired: true, outcome: 'Full refund.' });
    expect(applied?.explanation).toContain('order.ageDays');
  });

  it('answers-with-otherwise-only-when-every-fact-is-known', () => {
    expect(applyRule(rule, { order: { ageDays: 45 }, item: { opened: false } })).toMatchObject({ fired: false, outcome: 'No full refund.' });
    expect(applyRule(rule, { order: { ageDays: 45 } })).toBeNull();
  });

  it('stays-silent-when-the-context-knows-nothing-the-rule-reads', () => {
    expect(applyRule(rule, { customer: { tier: 'gold' } })).toBeNull();
    expect(applyRule(rule, null)).toBeNull();
    expect(applyRule({ ...rule, when: 'not json' }, { order: { ageDays: 1 } })).toBeNull();
  });
});
