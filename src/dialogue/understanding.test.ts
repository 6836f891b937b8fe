import { describe, expect, it } from 'vitest';
import type { LinkedEntity } from '../retrieval/entity-linker.js';
import { mentionsOf, worthTagging } from './understanding.js';

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

describe('worthTagging in Chinese (no capitals: two ideographs nothing explains)', () => {
  it('tags a Chinese message unless its ideographs are all inside linked names', () => {
    expect(worthTagging('我在北京的招商银行办的卡', [], 'zh')).toBe(true);
    const text = '招商银行';
    expect(worthTagging(text, [linked(text, '招商银行')], 'zh')).toBe(false);
    expect(worthTagging('好', [], 'zh')).toBe(false);
    expect(worthTagging('ok 123', [], 'zh')).toBe(false);
  });
});

describe('mentionsOf', () => {
  it("types tagger spans in the platform's entity types and drops labels the graph keeps no entity for", () => {
    const spans = [
      { text: '张伟', type: 'name', start: 0, end: 2, score: 0.9 },
      { text: '经理', type: 'position', start: 2, end: 4, score: 0.9 },
      { text: '招商银行', type: 'company', start: 5, end: 9, score: 0.9 },
      { text: 'Paris', type: 'LOC', start: 10, end: 15, score: 0.9 },
    ];
    const aurora: LinkedEntity = { id: 'e1', name: '招商银行', type: 'Organization', mention: { text: '招商银行', start: 5, end: 9 } };
    expect(mentionsOf(spans, [aurora]).map((m) => [m.text, m.type, m.entityId])).toEqual([
      ['张伟', 'Person', null],
      ['招商银行', 'Organization', 'e1'],
      ['Paris', 'Location', null],
    ]);
  });
});
