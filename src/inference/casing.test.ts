import { describe, expect, it } from 'vitest';
import { caseIdsFor, casingClass } from './casing.js';
import { alignTokens } from './token-alignment.js';

describe('casingClass (mirrors training/train_ner.py casing_class)', () => {
  it.each([
    ['paris', 1],
    ['Paris', 2],
    ['A', 2],
    ['NASA', 3],
    ['iPhone', 4],
    ['McDonald', 4],
    ['1999', 5],
    [',', 5],
    ['北京', 5],
    ['Élysée', 2],
    ['ÉTÉ', 3],
    ['x2', 1],
  ])('%s → %i', (word, expected) => {
    expect(casingClass(word)).toBe(expected);
  });
});

describe('caseIdsFor', () => {
  it('gives-every-piece-the-class-of-its-pre-tokenizer-word', () => {
    const text = 'McDonald sells iPhones in NEW-York, 北京';
    const tokens = ['mcdonald', 'sells', 'iphone', '##s', 'in', 'new', '-', 'york', ',', '北', '京'];
    const aligned = alignTokens(text, tokens, () => false);
    expect(caseIdsFor(text, aligned)).toEqual([4, 1, 4, 4, 1, 3, 5, 2, 5, 5, 5]);
  });

  it('gives-tokens-without-text-class-zero', () => {
    expect(caseIdsFor('Hi', [{ offset: null }, { offset: [0, 2] }, { offset: null }])).toEqual([0, 2, 0]);
  });
});
