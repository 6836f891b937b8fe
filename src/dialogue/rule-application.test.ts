import { describe, expect, it } from 'vitest';
import { StoredContentError } from '../knowledge/kinds/index.js';
import type { RetrievedItem } from '../retrieval/retrieval.types.js';
import { Answerer } from './answerer.js';
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
  });

  it('throws-a-typed-error-for-a-stored-condition-that-is-not-json-never-a-silent-null', () => {
    const damaged = { ...rule, when: 'not json' };
    expect(() => applyRule(damaged, { order: { ageDays: 1 } })).toThrow(StoredContentError);
    expect(() => applyRule(damaged, { order: { ageDays: 1 } })).toThrow(expect.objectContaining({ code: 'INTERNAL', itemId: 'r1', kind: 'rule', field: 'when' }));
  });

  it('the-answerer-reports-the-damaged-rule-and-skips-it', () => {
    const reported: StoredContentError[] = [];
    const answerer = new Answerer({} as never, {} as never, {} as never, {}, (err) => reported.push(err));
    expect(answerer.skipDamaged(() => applyRule({ ...rule, when: '{' }, { order: { ageDays: 1 } }), null)).toBeNull();
    expect(reported.map((e) => e.field)).toEqual(['when']);
    // Without a reporter the fault is thrown, and other errors always are.
    expect(() => new Answerer({} as never, {} as never, {} as never).skipDamaged(() => applyRule({ ...rule, when: '{' }, {}), null)).toThrow(StoredContentError);
    expect(() => answerer.skipDamaged(() => { throw new Error('other'); }, null)).toThrow('other');
  });
});
