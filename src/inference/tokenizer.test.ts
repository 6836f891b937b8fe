import { describe, expect, it } from 'vitest';
import { segmentCjkChars } from './tokenizer.js';

const cut = (text: string): string[] => segmentCjkChars(text).map(([s, e]) => text.slice(s, e));

describe('segmentCjkChars (the cjk-chars segmentation of the Chinese tagger)', () => {
  it.each([
    ['one-segment-per-ideograph', '浙商银行', ['浙', '商', '银', '行']],
    ['latin-and-digit-runs-whole', '我的iPhone6s坏了', ['我', '的', 'iPhone6s', '坏', '了']],
    ['punctuation-and-symbols-alone', '《变形金刚》(HalfLife)', ['《', '变', '形', '金', '刚', '》', '(', 'HalfLife', ')']],
    ['whitespace-belongs-to-none', ' Lewis  Carroll 的 ', ['Lewis', 'Carroll', '的']],
    ['astral-ideographs-are-one-segment', '𠀀a𠀁', ['𠀀', 'a', '𠀁']],
    ['currency-and-math-symbols-alone', '¥100+5%', ['¥', '100', '+', '5', '%']],
    ['empty', '', []],
  ])('%s', (_name, text, expected) => {
    expect(cut(text)).toEqual(expected);
  });
});
