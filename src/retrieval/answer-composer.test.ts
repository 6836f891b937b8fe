import { describe, expect, it } from 'vitest';
import { composeFact, composePassage, evidenceConfidence } from './answer-composer.js';
import type { Candidate, RetrievedItem } from './retrieval.types.js';

describe('answer composition', () => {
  it('extracts-the-best-covering-sentence-with-document-offsets', () => {
    const text = 'Opening hours. Stores open at 9am every day. Parking is free for two hours.';
    const a = composePassage('When do stores open?', [{ chunkId: 'c1', documentId: 'd1', documentTitle: 'Stores', text, start: 1000, score: 0.8, via: 'vector', knowledge: [] }], 'en');
    expect(a?.text).toBe('Stores open at 9am every day.');
    expect(a?.citations[0]).toEqual({ knowledgeId: null, documentId: 'd1', chunkId: 'c1', start: 1015, end: 1044, quote: 'Stores open at 9am every day.' });
  });

  it('returns-null-when-no-sentence-shares-a-word-with-the-question', () => {
    expect(composePassage('banana bread recipe', [{ chunkId: 'c', documentId: 'd', documentTitle: 't', text: 'Stores open at 9am.', start: 0, score: 0.5, via: 'text', knowledge: [] }], 'en')).toBeNull();
  });

  it('grows-confidence-with-similarity-coverage-and-agreement', () => {
    const weak = evidenceConfidence({ cosine: 0.2, coverage: 0.1, agreement: 0, intent: false, graph: false, margin: 0 }, 'en');
    const strong = evidenceConfidence({ cosine: 0.75, coverage: 0.6, agreement: 1, intent: false, graph: true, margin: 0.1 }, 'en');
    expect(weak).toBeLessThan(0.2);
    expect(strong).toBeGreaterThan(0.75);
    expect(evidenceConfidence({ cosine: 0.75, coverage: 0.6, agreement: 1, intent: true, graph: true, margin: 0.1 }, 'en')).toBeGreaterThan(strong);
  });

  it('uses-the-learned-rankers-calibrated-confidence-for-a-fact-when-there-is-one', () => {
    const item = { id: 'k', kind: 'fact', statement: '退货寄达后 3 个工作日内原路退款。', sources: [], about: [], sim: 0.9 } as unknown as RetrievedItem;
    const ranked: Candidate = { id: 'k', item, fused: 2.1, ranks: { vector: 1 }, scores: {}, confidence: 0.83 };
    expect(composeFact('钱什么时候退回来', ranked, 'zh').confidence).toBe(0.83);
    const { confidence: _c, ...unranked } = ranked;
    expect(composeFact('钱什么时候退回来', unranked, 'zh').confidence).toBe(evidenceConfidence({ cosine: 0.8, coverage: 0, agreement: 0, intent: false, graph: false, margin: 0.1 }, 'zh'));
  });
});
