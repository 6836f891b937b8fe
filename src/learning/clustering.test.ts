import { describe, expect, it } from 'vitest';
import { assignToLeaders, bigramVector, questionKey, similarity } from './clustering.js';

describe('questionKey', () => {
  it.each([
    ['  How do I  reset my PIN? ', 'how do i reset my pin'],
    ['花呗怎么还款？', '花呗怎么还款'],
    ['ＡＢＣ!!', 'abc'],
  ])('%j -> %j', (text, key) => expect(questionKey(text)).toBe(key));
});

describe('similarity', () => {
  it('compares Chinese by character bigrams', () => {
    expect([...bigramVector('花呗还款').keys()]).toEqual(['花呗', '呗还', '还款', '款']);
    const a = { text: '花呗怎么还款', language: 'zh', vector: null };
    expect(similarity(a, { text: '花呗如何还款', language: 'zh', vector: null })).toBeGreaterThan(0.5);
    expect(similarity(a, { text: '借呗额度怎么提升', language: 'zh', vector: null })).toBeLessThan(0.3);
  });

  it('compares other languages by embedding cosine', () => {
    expect(similarity({ text: 'a', language: 'en', vector: [1, 0] }, { text: 'b', language: 'en', vector: [1, 0] })).toBeCloseTo(1);
    expect(similarity({ text: 'a', language: 'en', vector: [1, 0] }, { text: 'b', language: 'en', vector: [0, 1] })).toBe(0);
  });
});

describe('assignToLeaders', () => {
  it('groups by meaning within a language and starts a cluster for what matches nothing', () => {
    const leaders: Array<{ id: string; text: string; language: string; vector: number[] | null }> = [{ id: 'old', text: 'x', language: 'en', vector: [1, 0, 0] }];
    let n = 0;
    const ids = assignToLeaders(
      [
        { text: 'near old', language: 'en', vector: [0.95, 0.1, 0] },
        { text: 'far', language: 'en', vector: [0, 1, 0] },
        { text: 'near far', language: 'en', vector: [0.1, 0.97, 0] },
        { text: '花呗怎么还款', language: 'zh', vector: null },
        { text: '花呗如何还款', language: 'zh', vector: null },
      ],
      leaders,
      0.8,
      () => `new${++n}`,
    );
    expect(ids).toEqual(['old', 'new1', 'new1', 'new2', 'new2']);
    expect(leaders.map((l) => l.id)).toEqual(['old', 'new1', 'new2']);
  });
});
