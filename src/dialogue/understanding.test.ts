import { describe, expect, it } from 'vitest';
import type { LinkedEntity } from '../retrieval/entity-linker.js';
import { worthTagging } from './understanding.js';

const linked = (text: string, name: string): LinkedEntity => {
  const start = text.indexOf(name);
  return { id: name, name, type: 'Product', mention: { text: name, start, end: start + name.length } };
};

describe('worthTagging (is a NER pass worth its cost for a message?)', () => {
  it('skips messages whose capitalised words are common sentence openers, "I" or linked names', () => {
    const text = 'Hi, what about the warranty of my Aurora X2? My ticket is 100123. I bought it last week. Can you check?';
    expect(worthTagging(text, [linked(text, 'Aurora X2')])).toBe(false);
    expect(worthTagging('how long does a refund take?', [])).toBe(false);
    expect(worthTagging('退款多久到账？', [])).toBe(false);
  });

  it('tags messages with a capitalised name nothing explains', () => {
    const text = 'My order was sent to Jurong East instead of Tampines.';
    expect(worthTagging(text, [])).toBe(true);
    const both = 'Hi, what about the warranty of my Aurora X2?';
    expect(worthTagging(both, [])).toBe(true);
  });

  it('tags a message that opens with a name: a first word counts as explained only when sentences commonly start with it', () => {
    expect(worthTagging('Paris office hours?', [])).toBe(true);
    expect(worthTagging('LONDON 1996-08-30', [])).toBe(true);
    expect(worthTagging('Clinton said he would go.', [])).toBe(true);
    expect(worthTagging("What's the fee? I'm abroad.", [])).toBe(false);
  });
});
