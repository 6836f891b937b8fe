import { describe, expect, it } from 'vitest';
import { Bm25Index, bm25Terms } from './bm25.js';

describe('bm25Terms', () => {
  it('indexes Chinese as characters and bigrams, English as words without stop words', () => {
    expect(bm25Terms('钱退回')).toEqual(['钱', '钱退', '退', '退回', '回']);
    expect(bm25Terms('How do I reset my PIN?')).toEqual(['reset', 'pin']);
    expect(bm25Terms('花呗 PIN')).toEqual(['花', '花呗', '呗', 'pin']);
  });
});

describe('Bm25Index', () => {
  const index = new Bm25Index(
    ['a', 'b', 'c'],
    ['Reset your card PIN at any ATM.', 'Loans are approved within two days.', '退款会在三个工作日内原路退回'],
  );

  it('ranks the document sharing the rare terms first', () => {
    expect(index.search('How can I reset my PIN?')[0]?.id).toBe('a');
    expect(index.search('loan approval days')[0]?.id).toBe('b');
  });

  it('matches a one-character Chinese word (the cjk analyzer only has bigrams)', () => {
    const hits = index.search('钱什么时候退');
    expect(hits[0]?.id).toBe('c');
  });

  it('scores rarer terms higher (idf) and returns nothing for unknown terms', () => {
    expect(index.idf('pin')).toBeGreaterThan(0);
    expect(index.search('zebra')).toEqual([]);
  });

  it('saturates term frequency and normalises length', () => {
    const i = new Bm25Index(['short', 'long'], ['refund', `refund ${'policy words '.repeat(30)}`]);
    const [first, second] = i.search('refund');
    expect(first?.id).toBe('short');
    expect((first?.score ?? 0) > (second?.score ?? 0)).toBe(true);
  });
});
