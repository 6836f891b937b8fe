import { describe, expect, it } from 'vitest';
import { alignTokens, foldString, preTokenizeWords } from './token-alignment.js';

const noSpecials = (): boolean => false;

function spans(text: string, tokens: string[]): (string | null)[] {
  return alignTokens(text, tokens, noSpecials).map((a) => (a.offset ? text.slice(a.offset[0], a.offset[1]) : null));
}

describe('alignTokens', () => {
  it.each([
    ['aligns-cased-english', 'Hello, World!', ['hello', ',', 'world', '!'], ['Hello', ',', 'World', '!']],
    ['strips-accents-for-uncased-vocab', 'Café naïve résumé', ['cafe', 'naive', 'resume'], ['Café', 'naïve', 'résumé']],
    ['keeps-accents-for-cased-vocab', 'Café René', ['Café', 'René'], ['Café', 'René']],
    ['covers-combining-marks-of-decomposed-text', 'Cafe\u0301 ok', ['cafe', 'ok'], ['Cafe\u0301', 'ok']],
    ['maps-wordpiece-continuations', 'unaffable John', ['una', '##ff', '##able', 'john'], ['una', 'ff', 'able', 'John']],
    ['gives-unk-its-whole-word', 'I love 😀 Paris', ['i', 'love', '[UNK]', 'paris'], ['I', 'love', '😀', 'Paris']],
    ['gives-consecutive-unks-one-word-each', 'x 𠀀 𠀁 y', ['x', '[UNK]', '[UNK]', 'y'], ['x', '𠀀', '𠀁', 'y']],
    ['aligns-chinese-characters', '我的iPhone坏了', ['我', '的', 'iphone', '坏', '了'], ['我', '的', 'iPhone', '坏', '了']],
    ['aligns-chinese-with-punctuation', '退款，多久？', ['退', '款', '，', '多', '久', '？'], ['退', '款', '，', '多', '久', '？']],
    ['aligns-fullwidth-latin', 'ＡＢＣ full', ['abc', 'full'], ['ＡＢＣ', 'full']],
    ['skips-control-characters', 'a\u200bb c', ['ab', 'c'], ['a\u200bb', 'c']],
    ['survives-an-unmatchable-token', 'order Ω12 now', ['order', 'zz', 'now'], ['order', 'Ω12', 'now']],
    ['handles-sentencepiece-markers', 'New York', ['▁New', '▁York'], ['New', 'York']],
  ])('%s', (_name, text, tokens, expected) => {
    expect(spans(text, tokens)).toEqual(expected);
  });

  it('marks-word-starts-and-continuations', () => {
    const aligned = alignTokens('playing ball', ['play', '##ing', 'ball'], noSpecials);
    expect(aligned.map((a) => a.wordStart)).toEqual([true, false, true]);
  });

  it('gives-special-tokens-no-offset', () => {
    const tokens = ['[CLS]', 'hi', '[SEP]'];
    const aligned = alignTokens('hi', tokens, (i) => tokens[i] === '[CLS]' || tokens[i] === '[SEP]');
    expect(aligned.map((a) => a.offset)).toEqual([null, [0, 2], null]);
  });

  it('does-not-shift-later-tokens-after-an-unk', () => {
    const text = '😀abc abc';
    expect(spans(text, ['[UNK]', 'abc'])).toEqual(['😀abc', 'abc']);
  });

  it('keeps-utf16-offsets-for-astral-characters', () => {
    const text = '𠀀 Paris';
    const [unk, paris] = alignTokens(text, ['[UNK]', 'paris'], noSpecials);
    expect(unk?.offset).toEqual([0, 2]);
    expect(paris?.offset).toEqual([3, 8]);
  });
});

describe('preTokenizeWords', () => {
  it('splits-whitespace-punctuation-and-cjk', () => {
    const text = 'ab, 中文 x';
    expect(preTokenizeWords(text, 0, text.length).map(([s, e]) => text.slice(s, e))).toEqual(['ab', ',', '中', '文', 'x']);
  });
});

describe('foldString', () => {
  it('folds-case-accents-width-and-spaces', () => {
    expect(foldString('Ｃafé É x')).toBe('cafeex');
  });
});
