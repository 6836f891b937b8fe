import { describe, expect, it } from 'vitest';
import { aggregateEntities, parseBioLabel, viterbiBio, type LabelledToken } from './entity-aggregation.js';

/** Tokens from `[text, label, wordStart]` triples laid out left to right, separated by spaces. */
function layout(parts: [string, string, boolean?][]): { text: string; tokens: LabelledToken[] } {
  let text = '';
  const tokens: LabelledToken[] = [];
  for (const [piece, label, wordStart = true] of parts) {
    if (wordStart && text.length > 0) text += ' ';
    tokens.push({ label, score: 0.9, offset: [text.length, text.length + piece.length], wordStart });
    text += piece;
  }
  return { text, tokens };
}

describe('aggregateEntities', () => {
  it.each([
    ['joins-b-and-i-of-one-type', [['John', 'B-PER'], ['Smith', 'I-PER'], ['visited', 'O'], ['Paris', 'B-LOC']], [['John Smith', 'PER'], ['Paris', 'LOC']]],
    ['opens-an-entity-on-i-without-b', [['in', 'O'], ['New', 'I-LOC'], ['York', 'I-LOC']], [['New York', 'LOC']]],
    ['splits-on-type-change', [['Apple', 'B-ORG'], ['Paris', 'I-LOC']], [['Apple', 'ORG'], ['Paris', 'LOC']]],
    ['splits-adjacent-b-tags', [['Anna', 'B-PER'], ['Bob', 'B-PER']], [['Anna', 'PER'], ['Bob', 'PER']]],
    ['treats-unprefixed-labels-as-inside', [['Acme', 'ORG'], ['Corp', 'ORG']], [['Acme Corp', 'ORG']]],
    ['reads-bioes', [['Rio', 'B-LOC'], ['de', 'I-LOC'], ['Janeiro', 'E-LOC'], ['Bob', 'S-PER']], [['Rio de Janeiro', 'LOC'], ['Bob', 'PER']]],
    ['returns-nothing-for-all-o', [['hello', 'O'], ['there', 'O']], []],
  ] as [string, [string, string][], [string, string][]][])('%s', (_name, parts, expected) => {
    const { text, tokens } = layout(parts);
    const entities = aggregateEntities(text, tokens);
    expect(entities.map((e) => [e.text, e.type])).toEqual(expected);
    for (const e of entities) expect(text.slice(e.start, e.end)).toBe(e.text);
  });

  it('labels-a-word-by-its-first-subword', () => {
    // "Washington" split as wash ##ing ##ton: later sub-words' labels are ignored.
    const { text, tokens } = layout([
      ['Wash', 'B-LOC'],
      ['ing', 'O', false],
      ['ton', 'B-PER', false],
      ['rocks', 'O'],
    ]);
    expect(aggregateEntities(text, tokens)).toEqual([{ text: 'Washington', type: 'LOC', start: 0, end: 10, score: 0.9 }]);
  });

  it('skips-special-tokens', () => {
    const tokens: LabelledToken[] = [
      { label: 'B-PER', score: 1, offset: null, wordStart: false },
      { label: 'B-PER', score: 0.8, offset: [0, 3], wordStart: true },
      { label: 'I-PER', score: 0.6, offset: null, wordStart: false },
    ];
    expect(aggregateEntities('Ann', tokens)).toEqual([{ text: 'Ann', type: 'PER', start: 0, end: 3, score: 0.8 }]);
  });

  it('averages-word-scores', () => {
    const tokens: LabelledToken[] = [
      { label: 'B-ORG', score: 0.9, offset: [0, 4], wordStart: true },
      { label: 'I-ORG', score: 0.5, offset: [5, 9], wordStart: true },
    ];
    expect(aggregateEntities('Acme Corp', tokens)[0]?.score).toBeCloseTo(0.7);
  });
});

describe('parseBioLabel', () => {
  it.each([
    ['O', 'O', ''],
    ['B-PER', 'B', 'PER'],
    ['I-MISC', 'I', 'MISC'],
    ['S-LOC', 'B', 'LOC'],
    ['E-LOC', 'I', 'LOC'],
    ['PRODUCT', 'I', 'PRODUCT'],
  ])('%s', (label, prefix, type) => {
    expect(parseBioLabel(label)).toEqual({ prefix, type });
  });
});

describe('viterbiBio', () => {
  const labels = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];
  it('never starts with I- and never follows O or another type with I-', () => {
    // Argmax would read I-PER, I-LOC; the constraint makes it B-PER, I-PER.
    const rows = [
      [0.1, 0.3, 0.5, 0.05, 0.05],
      [0.1, 0.05, 0.4, 0.0, 0.45],
    ];
    expect(viterbiBio(rows, labels).map((i) => labels[i])).toEqual(['B-PER', 'I-PER']);
  });

  it('keeps argmax where argmax is already a valid sequence', () => {
    const rows = [
      [0.9, 0.05, 0.0, 0.05, 0.0],
      [0.1, 0.0, 0.0, 0.8, 0.1],
      [0.1, 0.0, 0.0, 0.1, 0.8],
    ];
    expect(viterbiBio(rows, labels).map((i) => labels[i])).toEqual(['O', 'B-LOC', 'I-LOC']);
    expect(viterbiBio([], labels)).toEqual([]);
  });
});
