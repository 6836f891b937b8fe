import { describe, expect, it } from 'vitest';
import type { KnowledgeContent } from '../knowledge/knowledge.content.js';
import type { Condition } from '../knowledge/rules/index.js';
import { conditionsOverlap, ruleConflict, valueConflict, valueSignature } from './conflicts.js';

const fact = (statement: string): KnowledgeContent => ({ kind: 'fact', statement, language: 'en', visibility: 'PUBLIC', entities: ['Orbit Card'], tags: [] });
const rule = (when: Condition, then: string, tags: string[] = []): KnowledgeContent => ({ kind: 'rule', name: 'r', when, then, language: 'en', visibility: 'PUBLIC', entities: [], tags });
const age = (op: string, value: number): Condition => ({ fact: 'order.ageDays', op, value }) as Condition;

describe('value conflicts', () => {
  it('separates the attribute from its values', () => {
    expect(valueSignature('The Orbit Card annual fee is $30 per year.')).toEqual({ attribute: new Set(['orbit', 'card', 'annual', 'fee', 'year']), values: ['$30'] });
  });

  it.each([
    ['same attribute, different value', 'The Orbit Card annual fee is 30 euros.', 'The Orbit Card annual fee is 45 euros.', true],
    ['same attribute, same value', 'The Orbit Card annual fee is 30 euros.', 'The annual fee of the Orbit Card is 30 euros.', false],
    ['different attribute', 'The Orbit Card annual fee is 30 euros.', 'Orbit Card cash withdrawals abroad are free up to 200 euros a month.', false],
    ['no value on one side', 'The Orbit Card annual fee is 30 euros.', 'The Orbit Card annual fee is waived for students.', false],
  ])('%s', (_name, a, b, conflict) => {
    expect(valueConflict(fact(a), fact(b)) !== null).toBe(conflict);
  });
});

describe('rule overlap', () => {
  it.each([
    ['nested ranges overlap', age('lte', 14), age('lte', 30), true],
    ['disjoint ranges', age('gt', 30), age('lte', 30), false],
    ['touching open range', age('lt', 30), age('gte', 30), false],
    ['equality inside a range', age('eq', 10), age('lte', 30), true],
    ['equality outside a range', age('eq', 40), age('lte', 30), false],
    ['exists against notExists', { fact: 'order.ageDays', op: 'exists' } as Condition, { fact: 'order.ageDays', op: 'notExists' } as Condition, false],
    ['disjoint sets', { fact: 'customer.tier', op: 'in', value: ['gold'] } as Condition, { fact: 'customer.tier', op: 'in', value: ['silver'] } as Condition, false],
    ['any is assumed satisfiable', { any: [age('gt', 100)] } as Condition, age('lte', 30), true],
  ])('%s', (_name, a, b, overlap) => {
    expect(conditionsOverlap({ all: [a] } as Condition, { all: [b] } as Condition)).toBe(overlap);
  });

  it('reports overlapping rules with different outcomes only', () => {
    expect(ruleConflict(rule(age('lte', 14), 'Store credit only.'), rule(age('lte', 30), 'Full refund.'))).toEqual({ sharedFacts: ['order.ageDays'] });
    expect(ruleConflict(rule(age('lte', 14), 'Full refund.'), rule(age('lte', 30), 'Full refund.'))).toBeNull();
    expect(ruleConflict(rule(age('gt', 30), 'No refund.'), rule(age('lte', 30), 'Full refund.'))).toBeNull();
    expect(ruleConflict(rule({ fact: 'condition.x', op: 'exists' } as Condition, 'y', ['needs-condition']), rule({ fact: 'condition.x', op: 'exists' } as Condition, 'z'))).toBeNull();
  });
});

describe('value extraction', () => {
  it.each([
    ['currency and units', 'Fee: €30, or 45 euros after 2 years.', ['2years', '45euros', '€30']],
    ['digits inside names are not values', 'The Orbit Card 0af2015d plan.', []],
    ['Chinese units', '年费是30元。', ['30元']],
  ])('%s', (_name, text, values) => {
    expect(valueSignature(text).values).toEqual(values);
  });
});
