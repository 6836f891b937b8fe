import { describe, expect, it } from 'vitest';
import { contentTokens, findMention, lexicalCoverage, sentences } from './text.js';

describe('text tools', () => {
  it('drops-english-stop-words-and-splits-chinese-into-bigrams', () => {
    expect(contentTokens('How long does a refund take?')).toEqual(['long', 'refund', 'take']);
    expect(contentTokens('退款多久')).toEqual(['退款', '款多', '多久']);
    expect(contentTokens('我的 iPhone 坏了')).toEqual(['我的', 'iphone', '坏了']);
  });

  it('measures-lexical-coverage-of-the-question', () => {
    expect(lexicalCoverage('refund card', 'Refunds reach your card in 5 days')).toBe(1);
    expect(lexicalCoverage('refund card', 'Delivery takes 2 days')).toBe(0);
    expect(lexicalCoverage('the a of', 'anything')).toBe(0);
  });

  it('cuts-sentences-with-offsets', () => {
    const text = 'First one. Second one!  Third? 第四句。第五句';
    const spans = sentences(text);
    expect(spans.map((s) => s.text)).toEqual(['First one.', 'Second one!', 'Third?', '第四句。', '第五句']);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it.each([
    ['Does the X5 have a charger?', 'X5', true],
    ['Does the NW-X5 have a charger?', 'nw-x5', true],
    ['simple question', 'SIM', false],
    ['我的北风手机', '北风', true],
  ])('finds-whole-word-mentions: %s / %s', (text, needle, found) => {
    const at = findMention(text, needle);
    expect(at !== null).toBe(found);
    if (at) expect(text.slice(at.start, at.end).toLowerCase()).toBe(needle.toLowerCase());
  });
});
