import { describe, expect, it } from 'vitest';
import { mergeQuestionHits } from './question-hits.js';
import type { RetrievedItem } from './retrieval.types.js';

const item = (id: string, sim: number | null) => ({ id, sim, question: null, answer: null, statement: `s ${id}` }) as unknown as RetrievedItem;

describe('mergeQuestionHits', () => {
  it('scores a fact by its best question and records the question as the reason', () => {
    const row = {
      vectorHits: [{ id: 'a', score: 0.9 }, { id: 'b', score: 0.7 }],
      textHits: [{ id: 'a', score: 3 }],
      items: [item('a', 0.9), item('b', 0.7), item('c', 0.6)],
    };
    mergeQuestionHits(
      row,
      [
        { id: 'b', question: 'how do I close it', score: 0.97, via: 'vector' },
        { id: 'c', question: 'close my account', score: 5, via: 'text' },
        { id: 'hidden', question: 'not visible', score: 0.99, via: 'vector' },
      ],
      { vector: 2, text: 2 },
    );
    expect(row.vectorHits).toEqual([{ id: 'b', score: 0.97 }, { id: 'a', score: 0.9 }]);
    expect(row.textHits).toEqual([{ id: 'c', score: 5 }, { id: 'a', score: 3 }]);
    expect(row.items[1]).toMatchObject({ sim: 0.97, matchedQuestion: { text: 'how do I close it', via: 'vector' } });
    expect(row.items[2]).toMatchObject({ sim: 0.6, matchedQuestion: { text: 'close my account', via: 'text' } });
    expect(row.items[0]!.matchedQuestion).toBeUndefined();
  });
});
