import { describe, expect, it } from 'vitest';
import { toLuceneQuery, verifyMentions } from './entity-linker.js';

const candidate = (id: string, name: string, aliases: string[], score = 1) => ({ id, name, type: 'Product', aliases, score });

describe('entity linking', () => {
  it('keeps-only-candidates-named-in-the-text-longest-first', () => {
    const linked = verifyMentions('Is the Northwind X5 waterproof?', [
      candidate('northwind', 'Northwind Mobile', ['Northwind']),
      candidate('x5', 'Northwind X5', ['X5', 'NW-X5']),
      candidate('sim', 'SIM Card', ['SIM']),
    ]);
    expect(linked.map((e) => [e.id, e.mention])).toEqual([['x5', { text: 'Northwind X5', start: 7, end: 19 }]]);
  });

  it('links-chinese-aliases-inside-a-sentence', () => {
    const linked = verifyMentions('北风X5防水吗', [candidate('x5', 'Northwind X5', ['北风X5', 'X5'])]);
    expect(linked[0]?.mention).toEqual({ text: '北风X5', start: 0, end: 4 });
  });

  it('makes-user-text-a-literal-lucene-query', () => {
    expect(toLuceneQuery('Refund AND (card) OR NOT x*')).toBe('refund and \\(card\\) or not x\\*');
    expect(toLuceneQuery('?!')).toBeNull();
  });
});
