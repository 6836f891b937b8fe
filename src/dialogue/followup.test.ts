import { describe, expect, it } from 'vitest';
import type { LinkedEntity } from '../retrieval/entity-linker.js';
import { nextTopic, rewriteFollowUp, type Topic } from './followup.js';

const x5: LinkedEntity = { id: 'x5', name: 'Northwind X5', type: 'Product', mention: { text: 'X5', start: 16, end: 18 } };
const a3: LinkedEntity = { id: 'a3', name: 'Northwind A3', type: 'Product', mention: { text: 'A3', start: 14, end: 16 } };
const previous: Topic = { question: 'How much is the X5?', entities: [{ ...x5, mention: { text: 'X5', start: 16, end: 18 } }], age: 0 };

describe('follow-up questions', () => {
  it('resolves-a-pronoun-with-the-previous-entities', () => {
    const r = rewriteFollowUp('Does it have wireless charging?', [], previous);
    expect(r).toEqual({ query: 'Does it have wireless charging? (Northwind X5)', entities: previous.entities, followUp: 'reference' });
  });

  it('replaces-the-entity-of-the-previous-question-in-an-ellipsis', () => {
    expect(rewriteFollowUp('What about the A3?', [a3], previous)).toMatchObject({ query: 'How much is the A3?', entities: [a3], followUp: 'ellipsis' });
    expect(rewriteFollowUp('那A3呢？', [], { question: '北风X5多少钱？', entities: [{ ...x5, mention: { text: 'X5', start: 2, end: 4 } }], age: 0 }).query).toBe('北风A3多少钱？');
  });

  it('leaves-new-questions-alone', () => {
    expect(rewriteFollowUp('How long does delivery take?', [], previous).followUp).toBeNull();
    expect(rewriteFollowUp('Does it have wireless charging?', [], null).followUp).toBeNull();
    expect(rewriteFollowUp('Does it have wireless charging?', [], { ...previous, age: 3 }).followUp).toBeNull();
  });

  it('carries-entities-for-a-few-turns', () => {
    const r = rewriteFollowUp('How long does delivery take?', [], previous);
    expect(nextTopic('How long does delivery take?', r, previous)).toEqual({ question: 'How long does delivery take?', entities: previous.entities, age: 1 });
  });
});
